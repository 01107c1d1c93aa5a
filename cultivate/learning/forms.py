"""Forms of the learning pages: offers, sessions, mandatory subjects, booking, decisions, completion and
evaluation. Forms check what a person typed; the services check the rules (and raise ValidationErrors the views
put back on the form, field by field)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from cultivate.core.forms import NHSDateField
from cultivate.organisations.models import Person, SupportRole, TeamSetting

from . import services
from .models import DeliveryMode, MandatorySubject, OfferKind

TIME = re.compile(r"^\s*(\d{1,2})[:.](\d{2})\s*$")


def _time(value: str, what: str) -> dt.time:
    match = TIME.match(value or "")
    if not match or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        raise ValidationError(f"Enter {what} as hours and minutes, for example 14:30")
    return dt.time(int(match.group(1)), int(match.group(2)))


class OfferForm(forms.Form):
    title = forms.CharField(
        label="Title", max_length=200, error_messages={"required": "Enter the offer's title"}
    )
    code = forms.SlugField(
        label="Course code",
        max_length=60,
        help_text="As your learning system names it, for example fire-safety-l1. Letters, numbers and hyphens.",
        error_messages={
            "required": "Enter the course code",
            "invalid": "The course code may use only letters, numbers, hyphens and underscores",
        },
    )
    kind = forms.ChoiceField(
        label="Kind", choices=OfferKind.choices, error_messages={"required": "Select the kind of offer"}
    )
    provider = forms.CharField(
        label="Provider", max_length=200, error_messages={"required": "Enter who provides it"}
    )
    mode = forms.ChoiceField(
        label="How it is delivered",
        choices=DeliveryMode.choices,
        error_messages={"required": "Select how it is delivered"},
    )
    hours = forms.DecimalField(
        label="Length in hours",
        max_digits=6,
        decimal_places=1,
        error_messages={
            "required": "Enter the length in hours",
            "invalid": "Enter the length as a number of hours",
        },
    )
    cost_per_place = forms.DecimalField(
        label="Cost per place in pounds",
        max_digits=9,
        decimal_places=2,
        initial=Decimal("0"),
        error_messages={
            "required": "Enter the cost per place (0 if free)",
            "invalid": "Enter the cost as a number",
        },
    )
    capacity = forms.IntegerField(
        label="Places per session",
        required=False,
        help_text="Leave empty for self-paced learning with no limit.",
        error_messages={"invalid": "Enter the number of places as a whole number"},
    )
    subject = forms.ModelChoiceField(
        label="Mandatory subject it satisfies",
        queryset=MandatorySubject.objects.none(),
        required=False,
        empty_label="None",
    )
    credits = forms.IntegerField(label="Credits (university modules)", required=False, min_value=0)
    academic_level = forms.CharField(
        label="Academic level (university modules)", required=False, max_length=40
    )
    accreditation = forms.CharField(label="Accreditation", required=False, max_length=200)
    description = forms.CharField(label="Description", required=False, widget=forms.Textarea)

    def __init__(self, *args: Any, subjects: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if subjects is not None:
            self.fields["subject"].queryset = subjects  # type: ignore[attr-defined]

    def offer_fields(self) -> services.OfferFields:
        data = self.cleaned_data
        return services.OfferFields(
            code=data["code"],
            title=data["title"],
            kind=data["kind"],
            provider=data["provider"],
            mode=data["mode"],
            hours=data["hours"],
            cost_per_place=data["cost_per_place"],
            capacity=data.get("capacity"),
            description=data.get("description") or "",
            credits=data.get("credits"),
            academic_level=data.get("academic_level") or "",
            accreditation=data.get("accreditation") or "",
            subject=data.get("subject"),
        )


class SessionForm(forms.Form):
    day = NHSDateField(
        label="Date",
        earliest=timezone.localdate,
        error_messages={"required": "Enter the session's date"},
    )
    starts = forms.CharField(
        label="Start time",
        help_text="For example, 09:30",
        error_messages={"required": "Enter the start time"},
    )
    ends = forms.CharField(
        label="End time", help_text="For example, 16:30", error_messages={"required": "Enter the end time"}
    )
    capacity = forms.IntegerField(
        label="Places",
        required=False,
        min_value=1,
        help_text="Leave empty to use the offer's number of places.",
        error_messages={
            "invalid": "Enter the number of places as a whole number",
            "min_value": "Enter at least 1",
        },
    )
    venue = forms.CharField(label="Where", required=False, max_length=200)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        try:
            starts = _time(data.get("starts", ""), "the start time") if data.get("starts") else None
        except ValidationError as error:
            self.add_error("starts", error)
            starts = None
        try:
            ends = _time(data.get("ends", ""), "the end time") if data.get("ends") else None
        except ValidationError as error:
            self.add_error("ends", error)
            ends = None
        day = data.get("day")
        if day and starts and ends:
            zone = timezone.get_current_timezone()
            data["starts_at"] = dt.datetime.combine(day, starts, tzinfo=zone)
            data["ends_at"] = dt.datetime.combine(day, ends, tzinfo=zone)
        return data


class SubjectForm(forms.Form):
    name = forms.CharField(
        label="Subject", max_length=200, error_messages={"required": "Enter the subject's name"}
    )
    code = forms.SlugField(
        label="Code",
        max_length=60,
        help_text="As your learning system names it, for example pmva.",
        error_messages={
            "required": "Enter a code",
            "invalid": "The code may use only letters, numbers and hyphens",
        },
    )
    renewal_months = forms.IntegerField(
        label="Renewal period in months",
        error_messages={
            "required": "Enter the renewal period in months",
            "invalid": "Enter the renewal period as a whole number of months",
        },
    )


class RenewalForm(forms.Form):
    renewal_months = forms.IntegerField(
        label="Renewal period in months",
        error_messages={
            "required": "Enter the renewal period in months",
            "invalid": "Enter the renewal period as a whole number of months",
        },
    )


class RequirementForm(forms.Form):
    hide_optional = True
    role = forms.ModelChoiceField(
        label="Role", queryset=SupportRole.objects.order_by("name"), required=False, empty_label="Every role"
    )
    setting = forms.ChoiceField(
        label="Setting", choices=[("", "Every setting"), *TeamSetting.choices], required=False
    )


class BookForm(forms.Form):
    person = forms.ModelChoiceField(
        label="Who", queryset=Person.objects.none(), error_messages={"required": "Select who to book"}
    )
    protected_time = forms.BooleanField(label="In protected time (backfilled)", required=False)
    waiting_list = forms.BooleanField(label="Add to the waiting list if the session is full", required=False)

    def __init__(self, *args: Any, people: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if people is not None:
            field = self.fields["person"]
            field.queryset = people  # type: ignore[attr-defined]
            field.label_from_instance = lambda p: p.display_name  # type: ignore[attr-defined]


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="Decision",
        choices=[("approve", "Approve"), ("decline", "Do not approve")],
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether you approve the request"},
    )
    protected_time = forms.BooleanField(label="In protected time (backfilled)", required=False)
    note = forms.CharField(label="Note to the worker", required=False, max_length=300, widget=forms.Textarea)


class CompleteForm(forms.Form):
    completed_on = NHSDateField(
        label="Date you completed it",
        latest=timezone.localdate,
        error_messages={"required": "Enter the date you completed it"},
    )


class EvaluationForm(forms.Form):
    rating = forms.TypedChoiceField(
        label="Overall, how good was it?",
        coerce=int,
        choices=[
            (5, "5 – excellent"),
            (4, "4 – good"),
            (3, "3 – fair"),
            (2, "2 – poor"),
            (1, "1 – very poor"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Select a rating"},
    )
    useful = forms.CharField(label="What was most useful?", required=False, widget=forms.Textarea)
    change = forms.CharField(label="What should change?", required=False, widget=forms.Textarea)


class GapFilterForm(forms.Form):
    hide_optional = True
    setting = forms.ChoiceField(
        label="Setting", choices=[("", "Every setting"), *TeamSetting.choices], required=False
    )
