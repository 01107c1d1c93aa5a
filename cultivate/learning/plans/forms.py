"""Forms of the plan and supervision pages. They check what was typed; the services check the rules and their
ValidationErrors go back on the form, field by field (`core.forms.add_service_errors`)."""

from __future__ import annotations

from typing import Any

from django import forms

from cultivate.core.forms import NHSDateField
from cultivate.frameworks.models import Competence
from cultivate.pathways.models import Step

from ..models import Offer


class PlanForm(forms.Form):
    starts_on = NHSDateField(label="Start date", error_messages={"required": "Enter the plan's start date"})
    review_on = NHSDateField(
        label="Review date",
        help_text="When you and your supervisor will look at it again, for example in 3 months.",
        error_messages={"required": "Enter the review date"},
    )


class GoalForm(forms.Form):
    text = forms.CharField(
        label="Your goal",
        max_length=300,
        help_text="For example, become confident taking blood glucose readings.",
        error_messages={
            "required": "Enter the goal",
            "max_length": "The goal must be 300 characters or fewer",
        },
    )
    action = forms.CharField(
        label="What you will do",
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": "What you will do must be 300 characters or fewer"},
    )
    offer = forms.ModelChoiceField(
        label="A course that helps",
        queryset=Offer.objects.none(),
        required=False,
        empty_label="None",
    )
    competence = forms.ModelChoiceField(
        label="Or a competence your role needs",
        queryset=Competence.objects.none(),
        required=False,
        empty_label="None",
    )
    step = forms.ModelChoiceField(
        label="Or a career step", queryset=Step.objects.none(), required=False, empty_label="None"
    )
    target_on = NHSDateField(label="Target date", required=False)
    is_done = forms.BooleanField(label="I have done this", required=False)

    def __init__(
        self,
        *args: Any,
        offers: Any = None,
        competences: list[Competence] | None = None,
        steps: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        offer_field: Any = self.fields["offer"]
        competence_field: Any = self.fields["competence"]
        step_field: Any = self.fields["step"]
        if offers is not None:
            offer_field.queryset = offers
        if competences is not None:
            competence_field.queryset = Competence.objects.filter(
                pk__in=[c.pk for c in competences]
            ).order_by("code", "title")
            competence_field.label_from_instance = lambda c: f"{c.code} {c.title}".strip()
        if steps is not None:
            step_field.queryset = steps
            step_field.label_from_instance = lambda s: f"{s.title} ({s.pathway.title})"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        links = [name for name in ("offer", "competence", "step") if data.get(name) is not None]
        if len(links) > 1:
            self.add_error(links[1], "Link the goal to one thing: a course, a competence or a career step")
        return data


class DecisionForm(forms.Form):
    # Needed when asking for changes: the label says so rather than "(optional)".
    conditionally_required = ("reason",)
    decision = forms.ChoiceField(
        label="Your decision",
        choices=[("agree", "Agree the plan"), ("changes", "Ask for changes")],
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether you agree the plan"},
    )
    reason = forms.CharField(
        label="What should change",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Needed if you ask for changes. They will read this.",
    )
    review_notes = forms.CharField(
        label="Review notes",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What you discussed. The worker can read these.",
    )
    review_on = NHSDateField(
        label="Next review date",
        required=False,
        help_text="Leave empty to keep the date in the plan.",
    )


class MeetingForm(forms.Form):
    held_on = NHSDateField(
        label="Date of the meeting", error_messages={"required": "Enter the date of the meeting"}
    )
    agreed_actions = forms.CharField(
        label="What you agreed",
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="The worker and their supervisors can read this.",
    )
    private_note = forms.CharField(
        label="Private note",
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Only you and the person you supervised can read this.",
    )


class IntervalForm(forms.Form):
    interval_months = forms.IntegerField(
        label="Supervision or a plan review at least every (months)",
        min_value=1,
        max_value=12,
        error_messages={
            "required": "Enter a number of months from 1 to 12",
            "invalid": "Enter the number of months as a whole number",
            "min_value": "Enter a number of months from 1 to 12",
            "max_value": "Enter a number of months from 1 to 12",
        },
    )
