"""Input for the programme pages: NHS.UK date inputs for dates, times typed as "14:30", messages in the
user's words."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import Any, cast

from django import forms
from django.utils import timezone

from cultivate.core.forms import NHSDateField

from .models import ApplicationStatus, AttendanceStatus, Delivery, PostKind, Stage

TIME = re.compile(r"^\s*([01]?\d|2[0-3])[:.]([0-5]\d)\s*$")
SCORE_CHOICES = [(str(n), str(n)) for n in range(1, 6)]


def _parse_time(value: str, what: str) -> dt.time:
    match = TIME.match(value or "")
    if not match:
        raise forms.ValidationError(f"Enter the {what} as hours and minutes, for example 14:30")
    return dt.time(int(match.group(1)), int(match.group(2)))


class ProgrammeForm(forms.Form):
    title = forms.CharField(max_length=200, error_messages={"required": "Enter the programme's title"})
    aims = forms.CharField(widget=forms.Textarea, required=False, max_length=4000)
    weeks = forms.IntegerField(
        label="Length in weeks",
        min_value=1,
        max_value=104,
        error_messages={
            "required": "Enter how many weeks the programme lasts",
            "invalid": "Enter the length as a whole number of weeks",
            "min_value": "The programme must last at least 1 week",
            "max_value": "The programme must last 104 weeks or fewer",
        },
    )
    starts_on = NHSDateField(
        label="Start date", error_messages={"required": "Enter the programme's start date"}
    )
    delivery = forms.ChoiceField(
        choices=Delivery.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how the programme is delivered"},
    )
    cohort_capacity = forms.IntegerField(
        label="Places in each cohort",
        initial=20,
        min_value=2,
        max_value=200,
        error_messages={
            "required": "Enter how many places each cohort has",
            "invalid": "Enter the places as a whole number",
            "min_value": "A cohort needs at least 2 places",
            "max_value": "A cohort can have at most 200 places",
        },
    )
    min_attendance_pct = forms.IntegerField(
        label="Attendance needed to complete (%)",
        initial=80,
        min_value=0,
        max_value=100,
        error_messages={
            "required": "Enter the attendance needed to complete",
            "invalid": "Enter the attendance as a whole number",
            "min_value": "Enter a percentage from 0 to 100",
            "max_value": "Enter a percentage from 0 to 100",
        },
    )
    require_self_assessments = forms.BooleanField(
        label="Both self-assessments (start and end) are needed to complete", required=False, initial=True
    )


class OwnerForm(forms.Form):
    """Who runs a new programme, where the role could choose (an educator of an alliance member)."""

    owner = forms.ChoiceField(
        label="Who runs it",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose who runs the programme"},
    )

    def __init__(self, *args: Any, owners: Sequence[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["owner"]).choices = list(owners)


class DimensionsForm(forms.Form):
    names = forms.CharField(
        label="Self-assessment dimensions",
        widget=forms.Textarea,
        help_text="One on each line. People rate themselves from 1 to 5 on each, at the start and at the end.",
        error_messages={"required": "Enter at least one dimension"},
    )

    def lines(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["names"].splitlines() if line.strip()]


class LeadForm(forms.Form):
    user = forms.ChoiceField(label="Educator", error_messages={"required": "Choose the educator to add"})

    def __init__(self, *args: Any, educators: Sequence[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["user"]).choices = [("", "Choose an educator"), *educators]


class CompetencesForm(forms.Form):
    competences = forms.MultipleChoiceField(
        label="Competences the programme covers",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Their identifiers go on every certificate issued from now on. Untick all to list none.",
    )

    def __init__(self, *args: Any, choices: Sequence[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.MultipleChoiceField, self.fields["competences"]).choices = list(choices)

    def competence_ids(self) -> list[int]:
        return [int(pk) for pk in self.cleaned_data.get("competences") or []]


class CopyForm(forms.Form):
    starts_on = NHSDateField(
        label="Start date of the next intake",
        error_messages={"required": "Enter the next intake's start date"},
    )
    title = forms.CharField(max_length=200, required=False, label="Title (leave blank to keep it)")


class CohortForm(forms.Form):
    name = forms.CharField(max_length=100, error_messages={"required": "Enter the cohort's name"})
    capacity = forms.IntegerField(
        label="Places",
        min_value=2,
        max_value=200,
        error_messages={
            "required": "Enter how many places the cohort has",
            "invalid": "Enter a whole number",
            "min_value": "A cohort needs at least 2 places",
            "max_value": "A cohort can have at most 200 places",
        },
    )


class SessionForm(forms.Form):
    topic = forms.CharField(max_length=200, error_messages={"required": "Enter the session's topic"})
    day = NHSDateField(label="Date", error_messages={"required": "Enter the session's date"})
    start = forms.CharField(
        label="Start time",
        help_text="For example, 14:30",
        max_length=5,
        error_messages={"required": "Enter the session's start time"},
    )
    end = forms.CharField(
        label="End time",
        help_text="For example, 16:00",
        max_length=5,
        error_messages={"required": "Enter the session's end time"},
    )
    cohort = forms.ChoiceField(label="For", required=False)
    joining_link = forms.URLField(
        label="Joining link",
        required=False,
        assume_scheme="https",
        error_messages={"invalid": "Enter the joining link as a web address, starting https://"},
    )
    venue = forms.CharField(max_length=200, required=False)
    facilitator = forms.CharField(max_length=150, required=False)

    def __init__(self, *args: Any, cohorts: Sequence[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["cohort"]).choices = [("", "Every cohort"), *cohorts]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        day = data.get("day")
        try:
            start = _parse_time(data.get("start", ""), "start time") if "start" in data else None
        except forms.ValidationError as error:
            self.add_error("start", error)
            start = None
        try:
            end = _parse_time(data.get("end", ""), "end time") if "end" in data else None
        except forms.ValidationError as error:
            self.add_error("end", error)
            end = None
        if day and start and end:
            zone = timezone.get_current_timezone()
            data["starts_at"] = dt.datetime.combine(day, start, tzinfo=zone)
            data["ends_at"] = dt.datetime.combine(day, end, tzinfo=zone)
            if data["ends_at"] <= data["starts_at"]:
                self.add_error("end", "The end time must be after the start time")
        if not data.get("joining_link") and not data.get("venue"):
            self.add_error("venue", "Enter a venue or a joining link")
        return data


class ApplicationForm(forms.Form):
    statement = forms.CharField(
        label="Why do you want to take part?",
        widget=forms.Textarea,
        max_length=2000,
        help_text="A few sentences are enough.",
        error_messages={"required": "Say why you want to take part"},
    )
    availability = forms.CharField(
        label="When can you attend?",
        max_length=300,
        required=False,
        help_text="For example, not on Mondays; nights until March.",
    )
    cohorts = forms.MultipleChoiceField(
        label="Cohorts you can attend",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Leave all unticked if you can attend any of them.",
    )

    def __init__(self, *args: Any, cohorts: Sequence[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["cohorts"]).choices = list(cohorts)
        if not cohorts:
            del self.fields["cohorts"]


class NominationForm(ApplicationForm):
    person = forms.ChoiceField(
        label="Who are you nominating?", error_messages={"required": "Choose who you are nominating"}
    )
    field_order = ["person", "statement", "availability", "cohorts"]

    def __init__(self, *args: Any, people: Sequence[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["person"]).choices = [("", "Choose a person"), *people]
        self.fields["statement"].label = "Why are you nominating them?"
        self.fields["statement"].error_messages = {"required": "Say why you are nominating them"}
        self.fields["availability"].label = "When can they attend?"


class MoveForm(forms.Form):
    to = forms.ChoiceField(
        choices=ApplicationStatus.choices, error_messages={"required": "Choose what to do"}
    )
    reason = forms.CharField(max_length=300, required=False, label="Reason")


class DeclineTimeForm(forms.Form):
    reason = forms.CharField(
        max_length=250,
        label="Why can protected time not be agreed?",
        help_text="The applicant is told, and it is kept in the application's history.",
        error_messages={"required": "Say why protected time cannot be agreed"},
    )


class PlacementForm(forms.Form):
    action = forms.ChoiceField(
        choices=[("pin", "Pin"), ("unpin", "Unpin"), ("move", "Move")],
        error_messages={"required": "Choose whether to pin, unpin or move the person"},
    )
    cohort = forms.IntegerField(required=False)


class RegisterForm(forms.Form):
    """One radio group per participant: present, absent, absent with apologies."""

    def __init__(
        self, *args: Any, people: Sequence[tuple[int, str]], marks: dict[int, str], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        for pk, name in people:
            self.fields[f"p{pk}"] = forms.ChoiceField(
                label=name,
                choices=AttendanceStatus.choices,
                widget=forms.RadioSelect,
                initial=marks.get(pk),
                error_messages={"required": f"Mark {name} present or absent"},
            )

    def marks(self) -> dict[int, str]:
        return {int(name[1:]): value for name, value in self.cleaned_data.items()}


class CheckInForm(forms.Form):
    code = forms.CharField(
        label="Check-in code",
        max_length=12,
        help_text="The 6 characters shown in the session.",
        error_messages={"required": "Enter the check-in code shown in the session"},
    )


class SelfAssessmentForm(forms.Form):
    def __init__(self, *args: Any, dimensions: Sequence[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for pk, name in dimensions:
            self.fields[f"d{pk}"] = forms.ChoiceField(
                label=name,
                choices=SCORE_CHOICES,
                widget=forms.RadioSelect,
                error_messages={"required": f"Choose a number for {name}"},
            )

    def scores(self) -> dict[int, int]:
        return {int(name[1:]): int(value) for name, value in self.cleaned_data.items()}


STAGES = dict(Stage.choices)


class EvaluationForm(forms.Form):
    rating = forms.TypedChoiceField(
        label="How useful was this session?",
        choices=SCORE_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
        help_text="1 is not useful, 5 is very useful.",
        error_messages={"required": "Choose a number from 1 to 5"},
    )
    comment = forms.CharField(
        label="Anything we should change?", widget=forms.Textarea, required=False, max_length=2000
    )


class FeedbackForm(forms.Form):
    overall = forms.TypedChoiceField(
        label="Overall, how would you rate the programme?",
        choices=SCORE_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
        help_text="1 is poor, 5 is excellent.",
        error_messages={"required": "Choose a number from 1 to 5"},
    )
    would_recommend = forms.TypedChoiceField(
        label="Would you recommend it to a colleague?",
        choices=[("yes", "Yes"), ("no", "No")],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": "Say whether you would recommend it"},
    )
    what_changed = forms.CharField(
        label="What has changed for you?", widget=forms.Textarea, required=False, max_length=4000
    )


class PostForm(forms.Form):
    kind = forms.ChoiceField(
        label="What are you posting?",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what you are posting"},
    )
    body = forms.CharField(label="Message", widget=forms.Textarea, required=False, max_length=4000)
    link = forms.URLField(
        label="Link to the resource",
        required=False,
        assume_scheme="https",
        error_messages={"invalid": "Enter the link as a web address, starting https://"},
    )

    def __init__(self, *args: Any, lead: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kinds = PostKind.choices if lead else [c for c in PostKind.choices if c[0] != PostKind.ANNOUNCEMENT]
        cast(forms.ChoiceField, self.fields["kind"]).choices = kinds


class HideForm(forms.Form):
    reason = forms.CharField(
        label="Why are you hiding this post?",
        max_length=300,
        help_text="Kept with the post; the cohort sees that a lead hid it.",
        error_messages={"required": "Give the reason for hiding the post"},
    )
