"""Forms of the pathways pages. Forms check what a person typed; the services check the rules and raise
ValidationErrors the views put back on the form, field by field."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from django import forms
from django.utils import timezone

from cultivate.core.forms import NHSDateField
from cultivate.organisations.models import AfcBand

from .models import EpaGrade, Outcome, QualificationKind, RequirementKind, SkillsLevel, SkillsSubject

BANDS = [("", "No band")] + [(b.value, b.label) for b in AfcBand if b != AfcBand.NA]


def _today() -> dt.date:
    return timezone.localdate()


class QualificationForm(forms.Form):
    kind = forms.ChoiceField(
        label="Qualification",
        choices=[("", "Select a qualification"), *list(QualificationKind.choices)],
        error_messages={"required": "Select the qualification"},
    )
    title = forms.CharField(
        label="Name of the qualification (if other)",
        max_length=200,
        required=False,
        help_text="Only needed if it is not in the list.",
    )
    awarding_body = forms.CharField(label="Awarding body (optional)", max_length=200, required=False)
    awarded_on = NHSDateField(
        label="Date awarded",
        latest=_today,
        help_text="For example, 15 6 2024. It must be today or in the past.",
        error_messages={"required": "Enter the date the qualification was awarded"},
    )
    evidence = forms.CharField(
        label="Evidence",
        max_length=300,
        help_text="The certificate number, or where the certificate is kept, so an admin can check it.",
        error_messages={"required": "Enter the certificate number or where the evidence is held"},
    )


class SkillsResultForm(forms.Form):
    subject = forms.ChoiceField(
        label="Subject",
        choices=SkillsSubject.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the subject"},
    )
    level = forms.ChoiceField(
        label="Level the assessment found",
        choices=SkillsLevel.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the level the assessment found"},
    )
    assessed_on = NHSDateField(
        label="Date of the assessment",
        latest=_today,
        error_messages={"required": "Enter the date of the assessment"},
    )
    reassess_on = NHSDateField(
        label="Re-assessment date (optional)",
        required=False,
        help_text="Leave empty for six months after the assessment.",
    )


class OffTheJobForm(forms.Form):
    on = NHSDateField(
        label="Day of the training", latest=_today, error_messages={"required": "Enter the day"}
    )
    hours = forms.DecimalField(
        label="Hours",
        min_value=Decimal("0.25"),
        max_value=Decimal("24"),
        decimal_places=2,
        help_text="For example, 3 or 1.5",
        error_messages={
            "required": "Enter the hours",
            "invalid": "Hours must be a number, like 3 or 1.5",
            "min_value": "Hours must be at least 0.25 (15 minutes)",
            "max_value": "Hours must be 24 or fewer",
            "max_decimal_places": "Hours can have up to 2 decimal places",
        },
    )
    activity = forms.CharField(
        label="What you did",
        max_length=300,
        help_text="For example, a university study day, a shadowing shift or an online module.",
        error_messages={"required": "Enter what you did"},
    )
    ksbs = forms.MultipleChoiceField(
        label="Knowledge, skills and behaviours it covered (optional)",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: object, ksbs: Sequence[tuple[str, str]] = (), **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["ksbs"].choices = list(ksbs)  # type: ignore[attr-defined]


class ApprenticeshipForm(forms.Form):
    standard = forms.TypedChoiceField(
        label="Apprenticeship standard", coerce=int, error_messages={"required": "Select the standard"}
    )
    provider = forms.CharField(
        label="Training provider", max_length=200, error_messages={"required": "Enter the training provider"}
    )
    start_date = NHSDateField(label="Start date", error_messages={"required": "Enter the start date"})
    planned_end_date = NHSDateField(
        label="Planned end date", error_messages={"required": "Enter the planned end date"}
    )
    contracted_hours = forms.DecimalField(
        label="Contracted hours a week",
        min_value=Decimal(1),
        max_value=Decimal(48),
        decimal_places=1,
        error_messages={
            "required": "Enter the contracted hours a week",
            "invalid": "Contracted hours must be a number, like 37.5",
            "min_value": "Contracted hours must be at least 1",
            "max_value": "Contracted hours must be 48 or fewer",
        },
    )
    days_per_week = forms.TypedChoiceField(
        label="Days worked a week",
        coerce=int,
        choices=[(n, str(n)) for n in range(1, 8)],
        initial=5,
        error_messages={"required": "Select the days worked a week"},
    )

    def __init__(self, *args: object, standards: Sequence[tuple[int, str]] = (), **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["standard"].choices = [("", "Select a standard"), *standards]  # type: ignore[attr-defined]


class EpaForm(forms.Form):
    gateway_on = NHSDateField(label="Gateway date (optional)", required=False, latest=_today)
    epa_on = NHSDateField(label="End-point assessment date (optional)", required=False, latest=_today)
    epa_grade = forms.ChoiceField(
        label="Grade", choices=[("", "Not yet graded"), *list(EpaGrade.choices)], required=False
    )
    outcome = forms.ChoiceField(
        label="What happened after",
        choices=[("", "Not known yet"), *list(Outcome.choices)],
        required=False,
    )
    outcome_on = NHSDateField(label="Date of the outcome (optional)", required=False, latest=_today)


class PathwayForm(forms.Form):
    title = forms.CharField(label="Title", max_length=200, error_messages={"required": "Enter a title"})
    code = forms.SlugField(
        label="Short name",
        max_length=60,
        help_text="Lower-case letters, numbers and hyphens, for the address of its public page.",
        error_messages={
            "required": "Enter a short name",
            "invalid": "The short name can only have lower-case letters, numbers and hyphens",
        },
    )
    description = forms.CharField(label="Description (optional)", required=False, widget=forms.Textarea)
    copy_of = forms.TypedChoiceField(label="Start from", coerce=int, required=False, empty_value=None)

    def __init__(self, *args: object, pathways: Sequence[tuple[int, str]] = (), **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["copy_of"].choices = [("", "An empty pathway"), *pathways]  # type: ignore[attr-defined]


class StepForm(forms.Form):
    title = forms.CharField(label="Role", max_length=200, error_messages={"required": "Enter the role"})
    code = forms.SlugField(
        label="Short name",
        max_length=60,
        error_messages={
            "required": "Enter a short name",
            "invalid": "The short name can only have lower-case letters, numbers and hyphens",
        },
    )
    band = forms.ChoiceField(label="Band", choices=BANDS, required=False)
    previous = forms.TypedChoiceField(label="Follows", coerce=int, required=False, empty_value=None)

    def __init__(self, *args: object, steps: Sequence[tuple[int, str]] = (), **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["previous"].choices = [("", "Nothing: a first step"), *steps]  # type: ignore[attr-defined]


class RequirementForm(forms.Form):
    kind = forms.ChoiceField(
        label="Kind of requirement",
        choices=RequirementKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the kind of requirement"},
    )
    qualifications = forms.MultipleChoiceField(
        label="Qualifications that meet it (for a qualification)",
        choices=QualificationKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    months = forms.IntegerField(
        label="Months of experience (for experience)",
        min_value=1,
        max_value=240,
        required=False,
        error_messages={"invalid": "Months must be a whole number", "min_value": "Months must be at least 1"},
    )
    band = forms.ChoiceField(
        label="Band (for a band, or experience at a band)", choices=BANDS, required=False
    )
    training = forms.CharField(label="Training topic (for mandatory training; empty for all)", required=False)
    evidenced_by = forms.CharField(
        label="How it is evidenced",
        max_length=300,
        error_messages={"required": "Enter how the requirement is evidenced"},
    )


class SupportForm(forms.Form):
    step = forms.TypedChoiceField(label="Step", coerce=int, error_messages={"required": "Select the step"})

    def __init__(self, *args: object, steps: Sequence[tuple[int, str]] = (), **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["step"].choices = [("", "Select a step"), *steps]  # type: ignore[attr-defined]
