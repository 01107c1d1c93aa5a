"""Forms for delegation protocols, the delegation check and the team matrix's filters."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

from django import forms
from django.utils import timezone

from cultivate.core.forms import NHSDateField
from cultivate.organisations.models import TeamSetting

from .delegation import BAND_CHOICES, SAVINGS_UNIT_CHOICES
from .matrix import STAFF_CHOICES, STATUS_FILTER_CHOICES, SUPPORT_STAFF, MatrixFilters


class ProtocolForm(forms.Form):
    code = forms.SlugField(
        error_messages={"required": "Enter a short code for the activity"},
        label="Code",
        max_length=60,
        help_text="A short name for systems that ask through the API, e.g. capillary-blood-glucose.",
    )
    activity = forms.CharField(
        error_messages={"required": "Enter the name of the activity"},
        label="Clinical activity",
        max_length=200,
        help_text="For example, capillary blood glucose monitoring.",
    )
    description = forms.CharField(label="Description", required=False, widget=forms.Textarea)
    delegating_role = forms.CharField(
        error_messages={"required": "Enter the role that delegates the activity"},
        label="Who delegates and stays accountable",
        max_length=150,
        help_text="The registered role, for example registered nurse (district nursing).",
    )
    team_settings = forms.MultipleChoiceField(
        label="Settings where it applies",
        required=False,
        choices=TeamSetting.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="Choose none for every setting.",
    )
    roles = forms.TypedMultipleChoiceField(
        label="Support roles it covers",
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        help_text="Choose none for any support role.",
    )
    min_band = forms.ChoiceField(
        label="Lowest band", required=False, choices=[("", "Any band"), *BAND_CHOICES]
    )
    supervision = forms.CharField(
        label="Supervision conditions",
        required=False,
        widget=forms.Textarea,
        help_text="One condition a line, as the delegating professional reads them.",
    )
    is_active = forms.BooleanField(label="In use", required=False, initial=True)

    savings_source = forms.CharField(
        label="Source of the savings figures",
        required=False,
        max_length=500,
        help_text="As it should be cited.",
    )
    savings_source_url = forms.URLField(
        label="Link to the source", required=False, max_length=500, assume_scheme="https"
    )
    savings_unit = forms.ChoiceField(
        label="The figures are for",
        required=False,
        choices=[("", "No savings model"), *SAVINGS_UNIT_CHOICES],
    )
    savings_first_year_low = forms.DecimalField(label="First year, lowest (£)", required=False, min_value=0)
    savings_first_year_high = forms.DecimalField(label="First year, highest (£)", required=False, min_value=0)
    savings_later_year_low = forms.DecimalField(
        label="Each later year, lowest (£)", required=False, min_value=0
    )
    savings_later_year_high = forms.DecimalField(
        label="Each later year, highest (£)", required=False, min_value=0
    )
    savings_price_year = forms.IntegerField(
        label="Prices from the year", required=False, min_value=1948, max_value=2100
    )
    savings_note = forms.CharField(
        label="What the saving depends on", required=False, widget=forms.Textarea, max_length=2000
    )

    SAVINGS_FIELDS = (
        "savings_source",
        "savings_source_url",
        "savings_unit",
        "savings_first_year_low",
        "savings_first_year_high",
        "savings_later_year_low",
        "savings_later_year_high",
        "savings_price_year",
        "savings_note",
    )

    def __init__(self, *args: Any, roles: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["roles"]).choices = roles

    @staticmethod
    def initial_for(protocol: Any) -> dict[str, Any]:
        savings = protocol.savings or {}
        return {
            "code": protocol.code,
            "activity": protocol.activity,
            "description": protocol.description,
            "delegating_role": protocol.delegating_role,
            "team_settings": list(protocol.team_settings or []),
            "roles": [role.pk for role in protocol.roles.all()],
            "min_band": protocol.min_band,
            "supervision": protocol.supervision,
            "is_active": protocol.is_active,
            **{f"savings_{key}": savings.get(key) for key in ("source", "source_url", "unit", "note")},
            **{
                f"savings_{key}": savings.get(key)
                for key in (
                    "first_year_low",
                    "first_year_high",
                    "later_year_low",
                    "later_year_high",
                    "price_year",
                )
            },
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        given = [name for name in self.SAVINGS_FIELDS if data.get(name) not in (None, "")]
        if given and not data.get("savings_unit"):
            self.add_error("savings_unit", "Say what the savings figures are for, or clear them.")
        return data

    def savings(self) -> dict[str, Any]:
        data = self.cleaned_data
        if not data.get("savings_unit"):
            return {}
        result: dict[str, Any] = {}
        for name in self.SAVINGS_FIELDS:
            value = data.get(name)
            if value in (None, ""):
                continue
            key = name.removeprefix("savings_")
            result[key] = float(value) if isinstance(value, Decimal) else value
        return result

    def service_kwargs(self, roles: list[Any]) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "code": data["code"],
            "activity": data["activity"],
            "description": data.get("description") or "",
            "delegating_role": data["delegating_role"],
            "team_settings": data.get("team_settings") or [],
            "roles": roles,
            "min_band": data.get("min_band") or "",
            "supervision": data.get("supervision") or "",
            "is_active": bool(data.get("is_active")),
            "savings": self.savings(),
        }


class RequirementForm(forms.Form):
    competence = forms.TypedChoiceField(
        error_messages={"required": "Choose the competence"}, label="Competence", coerce=int
    )
    min_level = forms.ChoiceField(
        error_messages={"required": "Choose the lowest level signed off"}, label="Lowest level signed off"
    )

    def __init__(
        self,
        *args: Any,
        competences: list[tuple[int, str]],
        levels: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["competence"]).choices = [
            ("", "Choose a competence"),
            *competences,
        ]
        cast(forms.ChoiceField, self.fields["min_level"]).choices = levels


class DelegationCheckForm(forms.Form):
    """Person (from the people in scope, narrowed by a search on the page), activity, team and date."""

    person = forms.TypedChoiceField(
        error_messages={"required": "Choose the person to check"}, label="Person", coerce=int
    )
    protocol = forms.ChoiceField(
        error_messages={"required": "Choose the delegated activity"}, label="Activity"
    )
    team = forms.TypedChoiceField(error_messages={"required": "Choose the team"}, label="Team", coerce=int)
    on = NHSDateField(label="Date", help_text="Today, unless you are planning ahead.")

    def __init__(
        self,
        *args: Any,
        people: list[tuple[int, str]],
        people_hint: str = "",
        protocols: list[tuple[str, str]],
        teams: list[tuple[int, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["person"]).choices = [("", "Choose a person"), *people]
        self.fields["person"].help_text = people_hint
        cast(forms.ChoiceField, self.fields["protocol"]).choices = [("", "Choose an activity"), *protocols]
        cast(forms.ChoiceField, self.fields["team"]).choices = [("", "Choose a team"), *teams]
        self.fields["on"].initial = timezone.localdate()


class MatrixFilterForm(forms.Form):
    hide_optional = True
    framework = forms.TypedChoiceField(label="Framework", coerce=int, required=False, empty_value=None)
    domain = forms.TypedChoiceField(label="Domain", coerce=int, required=False, empty_value=None)
    status = forms.ChoiceField(
        label="Status", required=False, choices=[("", "Any status"), *STATUS_FILTER_CHOICES]
    )
    staff = forms.ChoiceField(label="People", required=False, choices=STAFF_CHOICES)

    def __init__(
        self, *args: Any, frameworks: list[tuple[int, str]], domains: list[tuple[int, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["framework"]).choices = [
            ("", "Required by their roles"),
            *frameworks,
        ]
        cast(forms.ChoiceField, self.fields["domain"]).choices = [("", "Any domain"), *domains]

    def filters(self) -> MatrixFilters:
        if not self.is_valid():
            return MatrixFilters()
        data = self.cleaned_data
        return MatrixFilters(
            framework=data.get("framework"),
            domain=data.get("domain"),
            status=data.get("status") or "",
            staff=data.get("staff") or SUPPORT_STAFF,
        )
