"""Forms of the support-at-work pages. They check what was typed; the services check the rules and their
ValidationErrors go back on the form, field by field."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from cultivate.core.forms import NHSDateField
from cultivate.organisations.models import Person

from .support_models import FlexibleDecision, IncidentKind, IncidentSource, RefusalReason, SupportAnswer
from .support_services import NO_INCIDENT_DETAIL, NOTE_LIMIT, FlexibleAsk, SupportOffered


class FlexibleAskForm(forms.Form):
    pattern = forms.CharField(
        label="What working pattern are you asking for?",
        help_text="For example: compressed hours over four days, a later start on Tuesdays, term-time only.",
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": "Say what working pattern you are asking for",
            "max_length": "The working pattern must be 300 characters or fewer",
        },
    )
    hours_per_week = forms.DecimalField(
        label="Hours a week you are asking for (optional)",
        help_text="Leave empty if your hours stay the same.",
        required=False,
        max_digits=4,
        decimal_places=1,
        error_messages={"invalid": "Enter the hours a week as a number, for example 30 or 22.5"},
    )
    start_on = NHSDateField(
        label="When would you like it to start?",
        error_messages={"required": "Enter the date you would like the change to start"},
    )

    def ask(self) -> FlexibleAsk:
        data = self.cleaned_data
        return FlexibleAsk(
            pattern=data["pattern"], start_on=data.get("start_on"), hours_per_week=data.get("hours_per_week")
        )


class FlexibleDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="Decision",
        choices=[
            (FlexibleDecision.APPROVED, "Approve as asked"),
            (FlexibleDecision.APPROVED_CHANGED, "Approve with changes agreed with them"),
            (FlexibleDecision.REFUSED, "Refuse for a business reason"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether you approve the request"},
    )
    refusal_reason = forms.ChoiceField(
        label="Business reason (if refused)",
        help_text="The law allows only these reasons. Talk the request through with them before refusing.",
        choices=[("", "Choose a reason"), *RefusalReason.choices],
        required=False,
    )
    note = forms.CharField(
        label="What changes were agreed, or why it is refused",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": "The note must be 500 characters or fewer"},
    )
    decided_on = NHSDateField(
        label="Date of the decision", error_messages={"required": "Enter the date of the decision"}
    )


class AppealForm(forms.Form):
    appeal_note = forms.CharField(
        label="Appeal and its outcome",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": "Enter the appeal and its outcome",
            "max_length": "The appeal note must be 500 characters or fewer",
        },
    )


class SupportForm(forms.Form):
    person = forms.ModelChoiceField(
        label="Who was affected",
        queryset=Person.objects.none(),
        empty_label="Choose a person",
        error_messages={
            "required": "Choose who was affected",
            "invalid_choice": "Choose a person in your team",
        },
    )
    incident_on = NHSDateField(
        label="Date of the incident", error_messages={"required": "Enter the date of the incident"}
    )
    kind = forms.ChoiceField(
        label="Kind of incident",
        choices=IncidentKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the kind of incident"},
    )
    source = forms.ChoiceField(
        label="Who it came from",
        choices=IncidentSource.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select who it came from"},
    )
    debrief_on = NHSDateField(label="Date a debrief was offered (optional)", required=False)
    occupational_health = forms.BooleanField(label="Occupational health", required=False)
    counselling = forms.BooleanField(label="Counselling or the employee assistance programme", required=False)
    peer_support = forms.BooleanField(label="Peer support", required=False)
    time_off = forms.BooleanField(label="Time off", required=False)
    answer = forms.ChoiceField(
        label="Was the support accepted?",
        choices=SupportAnswer.choices,
        initial=SupportAnswer.WAITING,
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether the support was accepted"},
    )
    follow_up_on = NHSDateField(
        label="Date to follow up", error_messages={"required": "Enter the date to follow up"}
    )
    note = forms.CharField(
        label="Note (optional)",
        help_text=NO_INCIDENT_DETAIL,
        required=False,
        max_length=NOTE_LIMIT,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={
            "max_length": f"The note must be {NOTE_LIMIT} characters or fewer. {NO_INCIDENT_DETAIL}"
        },
    )

    def __init__(self, *args: Any, people: QuerySet[Person], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["person"]
        field.queryset = people  # type: ignore[attr-defined]
        field.label_from_instance = lambda p: p.display_name  # type: ignore[attr-defined]

    def offered(self) -> SupportOffered:
        data = self.cleaned_data
        return SupportOffered(
            incident_on=data.get("incident_on"),
            kind=data["kind"],
            source=data["source"],
            follow_up_on=data.get("follow_up_on"),
            debrief_on=data.get("debrief_on"),
            occupational_health=data["occupational_health"],
            counselling=data["counselling"],
            peer_support=data["peer_support"],
            time_off=data["time_off"],
            answer=data["answer"],
            note=data.get("note") or "",
        )


class FollowUpForm(forms.Form):
    answer = forms.ChoiceField(
        label="Was the support accepted?",
        choices=SupportAnswer.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether the support was accepted"},
    )
    done_on = NHSDateField(
        label="Date the follow-up was done (leave empty if not yet)",
        required=False,
        latest=timezone.localdate,
    )
