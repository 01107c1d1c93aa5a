from __future__ import annotations

from typing import Any, cast

from django import forms

from .models import AfcBand
from .selectors import StaffFilters


class StaffFilterForm(forms.Form):
    # Every filter is optional; saying so on each label is noise.
    hide_optional = True
    q = forms.CharField(label="Name or staff ID", required=False, max_length=100)
    team = forms.TypedChoiceField(label="Team", coerce=int, required=False, empty_value=None)
    band = forms.ChoiceField(label="Band", required=False, choices=[("", "Any band"), *AfcBand.choices])
    role = forms.TypedChoiceField(label="Role", coerce=int, required=False, empty_value=None)
    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[("current", "In post"), ("left", "Left"), ("all", "Everyone")],
    )
    sort = forms.ChoiceField(
        label="Sort by",
        required=False,
        choices=[
            ("", "Family name"),
            ("given", "Given name"),
            ("staff_id", "Staff ID"),
            ("newest", "Newest record"),
        ],
    )

    def __init__(
        self, *args: Any, teams: list[tuple[int, str]], roles: list[tuple[int, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["team"]).choices = [("", "Any team"), *teams]
        cast(forms.ChoiceField, self.fields["role"]).choices = [("", "Any role"), *roles]

    def filters(self) -> StaffFilters:
        data = self.cleaned_data
        return StaffFilters(
            q=(data.get("q") or "").strip(),
            team=data.get("team"),
            band=data.get("band") or "",
            role=data.get("role"),
            status=data.get("status") or "current",
            sort=data.get("sort") or "",
        )
