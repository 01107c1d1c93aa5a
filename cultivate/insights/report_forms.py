"""The board report page's form: which organisation (or all of an alliance's), which period, HTML or PDF."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

from django import forms

from cultivate.insights.measures import Window

from .report import PeriodError
from .report.period import parse_day

ALL_MEMBERS = "ALL"
_PERIOD_ERROR = "Enter the period {side} as a month (2024-03) or a day (2024-03-31)"
PERIOD_HINT = "A month, like 2024-03 (its last day), or a day, like 2024-03-31."


class BoardReportForm(forms.Form):
    hide_optional = True
    organisation = forms.ChoiceField(
        label="Organisation",
        error_messages={
            "required": "Choose the organisation to report on",
            "invalid_choice": "Choose an organisation from the list: %(value)s is not one",
        },
    )
    start = forms.CharField(
        label="Period start",
        help_text=PERIOD_HINT + " The period covers the days after it.",
        max_length=10,
        error_messages={"required": "Enter the start of the period, like 2023-03"},
    )
    end = forms.CharField(
        label="Period end",
        help_text=PERIOD_HINT,
        max_length=10,
        error_messages={"required": "Enter the end of the period, like 2024-03"},
    )
    file_format = forms.ChoiceField(
        label="Format",
        choices=[("html", "Web page (HTML), to read on screen or send"), ("pdf", "PDF, to print or file")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose HTML or PDF", "invalid_choice": "Choose HTML or PDF"},
    )
    commentary = forms.CharField(
        label="Commentary for the board (optional)",
        help_text="What the figures mean for your organisation and what you propose: printed at the start of the "
        "report as you write it. Do not name or describe individual members of staff.",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"max_length": "Keep the commentary to 5,000 characters or fewer"},
    )
    replacement_cost = forms.DecimalField(
        label="Cost of replacing one leaver (£)",
        help_text="Your organisation's own figure, for the cost of turnover: advertising, recruiting, induction and "
        "cover until the post is filled. Leave it empty to leave the cost of turnover out.",
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
    individual_level = forms.BooleanField(
        label="Show every figure, including counts below 5 (only for readers allowed to see individuals' records)",
        required=False,
    )

    def __init__(
        self,
        *args: Any,
        organisations: list[tuple[str, str]],
        all_members_label: str | None,
        individual_level_codes: set[str],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        choices = list(organisations)
        if all_members_label:
            choices.append((ALL_MEMBERS, all_members_label))
        cast(forms.ChoiceField, self.fields["organisation"]).choices = choices
        self.individual_level_codes = individual_level_codes
        if not individual_level_codes:
            del self.fields["individual_level"]

    def clean_start(self) -> str:
        value = str(self.cleaned_data["start"]).strip()
        try:
            parse_day(value, side="start")
        except PeriodError:
            raise forms.ValidationError(_PERIOD_ERROR.format(side="start")) from None
        return value

    def clean_end(self) -> str:
        value = str(self.cleaned_data["end"]).strip()
        try:
            parse_day(value, side="end")
        except PeriodError:
            raise forms.ValidationError(_PERIOD_ERROR.format(side="end")) from None
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end:
            first, last = parse_day(start, side="start"), parse_day(end, side="end")
            if first >= last:
                self.add_error("end", f"The period end must be after its start ({first:%d %B %Y})")
            else:
                data["period"] = Window(first, last)
        if data.get("individual_level") and data.get("organisation") not in self.individual_level_codes:
            self.add_error(
                "individual_level",
                "Every figure can only be shown for your own organisation: untick it or choose your organisation",
            )
        return data

    @property
    def period(self) -> Window:
        return cast(Window, self.cleaned_data["period"])
