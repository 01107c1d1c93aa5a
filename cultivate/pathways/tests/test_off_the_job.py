import datetime as dt
from decimal import Decimal

import pytest

from cultivate.accounts import testing as t
from cultivate.pathways import off_the_job, reference
from cultivate.pathways import testing as pt
from cultivate.pathways.models import OffTheJobRule

RULES = reference.off_the_job_rules()


def _rule(start, rules=RULES):
    rule = off_the_job.rule_for(start, rules)
    assert rule is not None
    return rule


def test_the_rule_is_chosen_by_start_date():
    assert _rule(dt.date(2021, 9, 1)).basis == "percent"
    assert _rule(dt.date(2022, 8, 1)).basis == "weekly"
    assert _rule(dt.date(2025, 7, 31)).basis == "weekly"
    assert _rule(dt.date(2025, 8, 1)).basis == "published"


def _hours(start, end, contracted, minimum=None):
    rule = _rule(start)
    return off_the_job.required_hours(
        rule=rule,
        start=start,
        planned_end=end,
        contracted_hours=Decimal(contracted),
        published_minimum=minimum,
    )


def test_before_august_2022_twenty_percent_of_working_hours():
    # 52 weeks less 5.6 weeks' leave, at 37.5 hours, 20%: 348 hours.
    assert _hours(dt.date(2021, 1, 4), dt.date(2022, 1, 3), "37.5") == 348


def test_from_august_2022_six_hours_a_week_full_time_else_twenty_percent():
    assert _hours(dt.date(2023, 1, 2), dt.date(2024, 1, 1), "37.5") == 279  # 6 × 46.4 weeks
    assert _hours(dt.date(2023, 1, 2), dt.date(2024, 1, 1), "22.5") == 209  # 20% × 22.5 × 46.4


def test_from_august_2025_the_published_minimum_never_under_187():
    assert _hours(dt.date(2025, 9, 1), dt.date(2026, 9, 1), "37.5") == 187
    assert _hours(dt.date(2025, 9, 1), dt.date(2026, 9, 1), "37.5", minimum=278) == 278


@pytest.mark.django_db
def test_a_rule_row_in_the_database_replaces_the_reference_file():
    OffTheJobRule.objects.create(starts_from=dt.date(2027, 8, 1), basis="published", floor_hours=200)
    assert _rule(dt.date(2027, 9, 1), None).floor_hours == 200
    assert off_the_job.rule_for(dt.date(2026, 9, 1)) is None  # only the database's rules apply now


@pytest.mark.django_db
def test_progress_expects_hours_in_proportion_and_stops_at_gateway():
    person = t.make_person(t.make_organisation())
    apprenticeship = pt.make_apprenticeship(person, start=dt.date(2025, 9, 1), end=dt.date(2026, 9, 1))
    middle = off_the_job.progress(apprenticeship, Decimal(50), on=dt.date(2026, 3, 2))
    assert middle.required == 187
    assert middle.expected_by_now == Decimal("93.2")
    assert middle.behind and middle.shortfall == Decimal("43.2")
    caught_up = off_the_job.progress(apprenticeship, Decimal(90), on=dt.date(2026, 3, 2))
    assert not caught_up.behind
    apprenticeship.gateway_on = dt.date(2026, 3, 2)
    later = off_the_job.progress(apprenticeship, Decimal(90), on=dt.date(2026, 8, 1))
    assert later.expected_by_now == 187 and later.weeks_left == 0
    assert later.shortfall == 97 and later.weekly_to_catch_up == 97
