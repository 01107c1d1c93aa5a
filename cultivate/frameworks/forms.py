"""Forms for framework pages. Choices that depend on the data (levels, domains, targets, roles) are passed in
by the view, from selectors; the forms never query."""

from __future__ import annotations

import uuid
from typing import Any, cast

from django import forms

from cultivate.core.forms import NHSDateField
from cultivate.organisations.models import AfcBand

from .models import AssociationType, CompetenceKind, EvidenceKind

MAX_LEVELS = 8

CROSSWALK_CHOICES = [
    (AssociationType.EXACT_MATCH_OF.value, "Exact match: evidence for one counts for the other"),
    (AssociationType.IS_RELATED_TO.value, "Related: similar, but evidence does not count for both"),
    (AssociationType.IS_PART_OF.value, "Part of: this item covers part of the other"),
]


class FrameworkForm(forms.Form):
    title = forms.CharField(
        error_messages={"required": "Enter the framework's title"}, label="Title", max_length=300
    )
    description = forms.CharField(
        label="Description",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What the framework covers and who it is for.",
    )


class LevelsForm(forms.Form):
    """The framework's levels, lowest first: one row per level, and a few empty rows to add more."""

    hide_optional = True

    def __init__(self, *args: Any, levels: list[dict[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        rows = max(len(levels) + 2, 4)
        self.rows = min(rows, MAX_LEVELS)
        for n in range(1, self.rows + 1):
            level = levels[n - 1] if n <= len(levels) else {}
            self.fields[f"code_{n}"] = forms.CharField(
                label=f"Level {n} code",
                required=False,
                max_length=40,
                initial=level.get("code", ""),
                help_text="Lower-case letters, digits or hyphens, e.g. supervised" if n == 1 else "",
            )
            self.fields[f"label_{n}"] = forms.CharField(
                label=f"Level {n} name", required=False, max_length=100, initial=level.get("label", "")
            )

    def row_fields(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[f"code_{n}"], self[f"label_{n}"]) for n in range(1, self.rows + 1)]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for n in range(1, self.rows + 1):
            code, label = data.get(f"code_{n}", ""), data.get(f"label_{n}", "")
            if code and not label:
                self.add_error(f"label_{n}", f"Enter a name for level {n}.")
            if label and not code:
                self.add_error(f"code_{n}", f"Enter a code for level {n}.")
        return data

    def levels(self) -> list[dict[str, str]]:
        data = self.cleaned_data
        return [
            {"code": data[f"code_{n}"].strip().lower(), "label": data[f"label_{n}"].strip()}
            for n in range(1, self.rows + 1)
            if data.get(f"code_{n}")
        ]


class ItemForm(forms.Form):
    """A domain or a competence of a draft. Domains have only the first four fields."""

    code = forms.CharField(label="Code", required=False, max_length=60, help_text="For example MH2.3")
    title = forms.CharField(
        error_messages={"required": "Enter the item's title"},
        label="Statement",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What the person can do or knows, as it will be assessed.",
    )
    short_title = forms.CharField(
        label="Short title",
        required=False,
        max_length=300,
        help_text="Shown in lists if the statement is long.",
    )
    description = forms.CharField(
        label="Notes for assessors", required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    kind = forms.ChoiceField(label="Kind", required=False, choices=[("", "Not set"), *CompetenceKind.choices])
    levels = forms.MultipleChoiceField(
        label="Levels it can be signed off at",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Leave all unticked for every level of the framework.",
    )
    assessed_in_practice = forms.BooleanField(label="Assessed in practice (observed at work)", required=False)
    evidence_kinds = forms.MultipleChoiceField(
        label="Evidence that counts",
        required=False,
        choices=EvidenceKind.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    reassess_months = forms.IntegerField(
        label="Reassess every (months)",
        required=False,
        min_value=1,
        max_value=120,
        help_text="Leave empty if a sign-off does not expire.",
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    parent = forms.ChoiceField(label="Place in", required=False)

    DOMAIN_FIELDS = ("code", "title", "short_title", "description")

    def __init__(
        self,
        *args: Any,
        is_domain: bool,
        levels: list[tuple[str, str]],
        parents: list[tuple[str, str]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.is_domain = is_domain
        if is_domain:
            self.fields["title"].label = "Domain name"
            self.fields["title"].help_text = ""
            self.fields["title"].widget = forms.TextInput()
            self.fields["description"].label = "Description"
        cast(forms.MultipleChoiceField, self.fields["levels"]).choices = levels
        if parents is None:
            del self.fields["parent"]
        else:
            cast(forms.ChoiceField, self.fields["parent"]).choices = parents
        if is_domain:
            for name in list(self.fields):
                if name not in self.DOMAIN_FIELDS and name != "parent":
                    del self.fields[name]

    def item_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        fields: dict[str, Any] = {name: data.get(name, "") for name in self.DOMAIN_FIELDS}
        if not self.is_domain:
            fields.update(
                kind=data.get("kind") or "",
                levels=data.get("levels") or [],
                assessed_in_practice=bool(data.get("assessed_in_practice")),
                evidence_kinds=data.get("evidence_kinds") or [],
                reassess_months=data.get("reassess_months"),
            )
        return fields


class MoveForm(forms.Form):
    parent = forms.ChoiceField(error_messages={"required": "Choose where to move it"}, label="Move to")
    position = forms.IntegerField(
        label="Position",
        required=False,
        min_value=1,
        help_text="1 puts it first. Leave empty to put it last.",
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )

    def __init__(self, *args: Any, parents: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["parent"]).choices = parents


class CrosswalkTargetForm(forms.Form):
    """Step one: which framework to map to (a GET form, so it works without JavaScript)."""

    target = forms.ChoiceField(
        error_messages={"required": "Choose the framework to map to"}, label="Framework to map to"
    )

    def __init__(self, *args: Any, frameworks: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["target"]).choices = [("", "Choose a framework"), *frameworks]


class CrosswalkForm(forms.Form):
    destination = forms.TypedChoiceField(
        error_messages={"required": "Choose the item it maps to"}, label="Item it maps to", coerce=int
    )
    association_type = forms.ChoiceField(
        error_messages={"required": "Choose how the items relate"},
        label="How they match",
        choices=CROSSWALK_CHOICES,
        widget=forms.RadioSelect,
        initial="exactMatchOf",
    )

    def __init__(self, *args: Any, destinations: list[tuple[int | str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["destination"]).choices = [("", "Choose an item"), *destinations]


class RequirementFrameworkForm(forms.Form):
    """Step one of adding a requirement: which framework (GET)."""

    framework = forms.ChoiceField(error_messages={"required": "Choose the framework"}, label="Framework")

    def __init__(self, *args: Any, frameworks: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["framework"]).choices = [("", "Choose a framework"), *frameworks]


GRACE_HELP = (
    "People in the role before the requirement began are due this many days after it began, not counted from "
    "when they started. Leave empty for no grace period."
)
GRACE_ERRORS = {
    "invalid": "Enter the grace period as a whole number of days, like 180",
    "min_value": "Enter a grace period of at least 1 day",
    "max_value": "Enter a grace period of 3650 days or fewer",
}


class RequirementForm(forms.Form):
    """One submission adds the requirement for every role ticked: a competence, a domain or the whole framework,
    at one level, with one deadline, start and grace period."""

    roles = forms.TypedMultipleChoiceField(
        error_messages={"required": "Choose at least one role"},
        label="Roles",
        help_text="Tick every role that needs it.",
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
    )
    afc_band = forms.ChoiceField(label="Band", required=False, choices=[("", "Every band"), *AfcBand.choices])
    competence = forms.ChoiceField(
        error_messages={"required": "Choose the competence"},
        label="Competence",
        help_text="Choose a domain to require every competence in it.",
    )
    min_level = forms.ChoiceField(
        error_messages={"required": "Choose the level needed"}, label="Level needed"
    )
    within_days = forms.IntegerField(
        label="Within (days of starting in the role)",
        required=False,
        min_value=1,
        max_value=3650,
        help_text="For example 84 for 12 weeks. Leave empty for no deadline.",
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    starts_on = NHSDateField(
        label="When the requirement began",
        required=False,
        help_text="For example, 1 4 2026. Leave empty for today.",
    )
    grace_days = forms.IntegerField(
        label="Grace period for people already in post (days)",
        required=False,
        min_value=1,
        max_value=3650,
        help_text=GRACE_HELP,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages=GRACE_ERRORS,
    )

    def __init__(
        self,
        *args: Any,
        roles: list[tuple[int, str]],
        competences: list[tuple[str, str]],
        levels: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["roles"]).choices = roles
        cast(forms.ChoiceField, self.fields["competence"]).choices = [
            ("", "Choose a competence"),
            *competences,
        ]
        cast(forms.ChoiceField, self.fields["min_level"]).choices = levels

    def target(self) -> tuple[str, int]:
        """("c", pk) for one competence, ("d", pk) for every competence in a domain."""
        kind, _, pk = self.cleaned_data["competence"].partition(":")
        return kind, int(pk)


class RequirementEditForm(forms.Form):
    min_level = forms.ChoiceField(
        error_messages={"required": "Choose the level needed"}, label="Level needed"
    )
    within_days = forms.IntegerField(
        label="Within (days of starting in the role)",
        required=False,
        min_value=1,
        max_value=3650,
        help_text="Leave empty for no deadline.",
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    starts_on = NHSDateField(
        label="When the requirement began",
        required=False,
        help_text="For example, 1 4 2026. Leave empty for the day it was added.",
    )
    grace_days = forms.IntegerField(
        label="Grace period for people already in post (days)",
        required=False,
        min_value=1,
        max_value=3650,
        help_text=(
            "People in the role before the requirement began are due this many days after it began, "
            "not counted from when they started. Leave empty for no grace period."
        ),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "invalid": "Enter the grace period as a whole number of days, like 180",
            "min_value": "Enter a grace period of at least 1 day",
            "max_value": "Enter a grace period of 3650 days or fewer",
        },
    )

    def __init__(self, *args: Any, levels: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["min_level"]).choices = levels


EVERY_BAND = "every"


class RequirementFilterForm(forms.Form):
    """The role requirements page's filters, as GET parameters (the address can be bookmarked)."""

    hide_optional = True
    role = forms.TypedChoiceField(label="Role", coerce=int, required=False, empty_value=None)
    band = forms.ChoiceField(label="Band", required=False)
    framework = forms.ChoiceField(label="Framework", required=False)
    domain = forms.ChoiceField(label="Domain", required=False)

    def __init__(
        self,
        *args: Any,
        roles: list[tuple[int, str]],
        bands: list[tuple[str, str]],
        frameworks: list[tuple[str, str]],
        domains: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["role"]).choices = [("", "Any role"), *roles]
        cast(forms.ChoiceField, self.fields["band"]).choices = [
            ("", "Any band"),
            *[(band or EVERY_BAND, label) for band, label in bands],
        ]
        cast(forms.ChoiceField, self.fields["framework"]).choices = [("", "Any framework"), *frameworks]
        cast(forms.ChoiceField, self.fields["domain"]).choices = [("", "Any domain"), *domains]

    def filters(self) -> dict[str, Any]:
        """role, band ("" for every band, None for any), framework and domain (UUIDs) for the selector; a
        domain brings its framework with it."""
        data = self.cleaned_data if self.is_valid() else {}
        band = data.get("band") or None
        framework = data.get("framework") or None
        domain = None
        if data.get("domain"):
            framework, _, domain = data["domain"].partition(":")
        return {
            "role": data.get("role"),
            "band": "" if band == EVERY_BAND else band,
            "framework": uuid.UUID(framework) if framework else None,
            "domain": uuid.UUID(domain) if domain else None,
        }
