"""The one number formatter shared by the dashboards, the Jinja filters and the board report."""

from __future__ import annotations

from decimal import Decimal

import pytest

from cultivate.core import formatting


@pytest.mark.parametrize(
    ("value", "kind", "text"),
    [
        (1234567, "count", "1,234,567"),
        (12.9, "count", "12"),  # truncated, as the dashboards always printed it
        (0.1234, "percent", "12.3%"),
        (1, "percent", "100.0%"),
        (Decimal("0.5"), "percent", "50.0%"),
        (102.345, "index", "102.3"),
        (1234.5, "index", "1234.5"),
        (0.756, "ratio", "0.76"),
        (1234567.4, "money", "£1,234,567"),
        (1234.56, "fte", "1,234.6"),
        (14, "number", "14.0"),
        (None, "count", "–"),
        (float("nan"), "percent", "–"),
        (Decimal("NaN"), "money", "–"),
    ],
)
def test_figure(value: formatting.Number | None, kind: str, text: str) -> None:
    assert formatting.figure(value, kind) == text


def test_places() -> None:
    assert formatting.number(1234.5678, 2) == "1,234.57"
    assert formatting.number(1234.5, 0) == "1,234"
    assert formatting.percent(0.12345, 2) == "12.35%"
    assert formatting.plain(1234.5, 0) == "1234"


def test_fte_filter() -> None:
    assert formatting.fte(Decimal("0.8")) == "0.80"
    assert formatting.fte(1) == "1.00"
    assert formatting.fte(None) == ""


def test_uk_date_writes_dates_as_nhs_uk_does_and_moments_in_london_time():
    import datetime as dt

    from django.utils import timezone

    assert formatting.uk_date(dt.date(2024, 3, 3)) == "3 March 2024"
    assert formatting.uk_date(None) == ""
    assert formatting.uk_date(None, empty="Never") == "Never"
    summer = dt.datetime(2024, 7, 1, 13, 5, tzinfo=dt.UTC)
    assert formatting.uk_date(summer) == "1 July 2024 at 14:05"
    # The same as Django's local time, which the pages used before.
    assert formatting.uk_date(summer) == f"1 July 2024 at {timezone.localtime(summer):%H:%M}"


def test_pages_print_dates_in_the_house_style_never_iso() -> None:
    import datetime as dt

    from django.template import engines

    from cultivate.core.clock import LONDON

    template = engines["jinja2"].from_string("{{ day }} | {{ moment }} | {{ count }} | {{ day | uk_date }}")
    moment = dt.datetime(2026, 12, 6, 14, 5, tzinfo=LONDON)
    text = template.render({"day": dt.date(2026, 12, 6), "moment": moment, "count": 3})
    assert text == "6 December 2026 | 6 December 2026 at 14:05 | 3 | 6 December 2026"
