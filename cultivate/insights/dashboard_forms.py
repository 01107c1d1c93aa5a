"""The dashboards' filters: the window (a 12-month window named by its last month) and the breakdown."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, cast

from django import forms

from .dashboards import BREAKDOWNS, months_before

WINDOW_CHOICES = 60  # month ends offered: five years back from the latest


class DashboardFilterForm(forms.Form):
    hide_optional = True
    window = forms.ChoiceField(
        label="12 months ending",
        required=False,
        error_messages={
            "invalid_choice": "Choose a month from the list for the end of the 12 months: %(value)s is not one."
        },
    )
    by = forms.ChoiceField(
        label="Break down by",
        required=False,
        error_messages={"invalid_choice": "Choose a breakdown from the list: %(value)s is not one."},
    )

    # Only the costs dashboard shows it; the other dashboards carry it in their links so it is not lost.
    cost = forms.DecimalField(
        label="Cost of replacing one leaver (£)",
        help_text="Your organisation's own figure: advertising, recruiting, induction and cover until the post is "
        "filled. For example, 5000.",
        required=False,
        min_value=Decimal(0),
        max_value=Decimal(1_000_000),
        max_digits=9,
        decimal_places=2,
        error_messages={
            "invalid": "Enter the cost of replacing one leaver as a number of pounds, like 5000",
            "min_value": "The cost of replacing one leaver cannot be negative",
            "max_value": "The cost of replacing one leaver must be £1,000,000 or less",
            "max_decimal_places": "Enter the cost of replacing one leaver in pounds and pence at most",
            "max_digits": "The cost of replacing one leaver must be £1,000,000 or less",
        },
    )

    def __init__(self, *args: Any, latest: dt.date, breakdowns: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.latest = latest
        self.default_by = breakdowns[0]
        ends = [months_before(latest, n) for n in range(WINDOW_CHOICES)]
        cast(forms.ChoiceField, self.fields["window"]).choices = [(f"{d:%Y-%m}", f"{d:%B %Y}") for d in ends]
        cast(forms.ChoiceField, self.fields["by"]).choices = [(b, BREAKDOWNS[b]) for b in breakdowns]

    def window_end(self) -> dt.date:
        value = self.cleaned_data.get("window") if self.is_valid() else None
        if not value:
            return self.latest
        year, month = (int(x) for x in value.split("-"))
        return months_before(dt.date(year, month, 1), 0)

    def breakdown(self) -> str:
        value = self.cleaned_data.get("by") if self.is_valid() else None
        return value or self.default_by

    def cost_per_leaver(self) -> Decimal | None:
        value = self.cleaned_data.get("cost") if self.is_valid() else None
        return value if isinstance(value, Decimal) else None

    def query(self) -> str:
        """The chosen filters as a query string, for links that keep them (exports, drill-down, tabs)."""
        if not self.is_valid():
            return ""
        parts = [f"{k}={v}" for k, v in self.cleaned_data.items() if v]
        return "?" + "&".join(parts) if parts else ""
