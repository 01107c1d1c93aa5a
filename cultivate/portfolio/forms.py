"""Forms of the portfolio pages: evidence, links, sign-off requests, decisions, corrections and withdrawals.

Forms check what a person typed; the services check the rules (and raise ValidationErrors the views put back
on the form, field by field)."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone

from cultivate.core.forms import NHSDateField
from cultivate.frameworks.models import EvidenceKind

from . import services


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; each is checked (size, type, content) and every problem reported."""

    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        uploads = [d for d in (data if isinstance(data, list | tuple) else [data]) if d]
        if not uploads:
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return []
        single = super().clean
        cleaned = [single(upload, initial) for upload in uploads]
        errors: list[ValidationError] = []
        for upload in cleaned:
            try:
                services.check_upload(upload)
            except ValidationError as error:
                errors.append(error)
        if len(cleaned) > services.MAX_FILES_PER_EVIDENCE:
            errors.append(ValidationError(f"Attach up to {services.MAX_FILES_PER_EVIDENCE} files"))
        if errors:
            raise ValidationError(errors)
        return cleaned


def _files_field() -> MultipleFileField:
    return MultipleFileField(
        label="Files",
        required=False,
        help_text=f"{services.ALLOWED_DESCRIPTION}, up to {services.MAX_FILE_MB} MB each. Photos of paper "
        "records are fine; leave out anything that names a patient.",
        widget=MultipleFileInput(
            attrs={"accept": ",".join(sorted(services.ALLOWED_TYPES)) + ",image/*,application/pdf"}
        ),
    )


def _not_future(value: dt.date | None, what: str) -> dt.date | None:
    if value is not None and value > timezone.localdate():
        raise ValidationError(f"{what} must be today or in the past")
    return value


class EvidenceForm(forms.Form):
    kind = forms.ChoiceField(
        label="Type of evidence",
        choices=EvidenceKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the type of evidence"},
    )
    title = forms.CharField(
        label="Title",
        max_length=200,
        help_text="A few words you will recognise later, for example 'Observed taking blood pressure'.",
        error_messages={"required": "Enter a title"},
    )
    occurred_on = NHSDateField(
        label="Date",
        help_text="When it happened, or the date on the certificate.",
        error_messages={"required": "Enter the date"},
    )
    text = forms.CharField(
        label="What happened",
        required=False,
        widget=forms.Textarea,
        help_text="Describe what you did and what you learned. Do not name patients.",
    )
    witness_name = forms.CharField(
        label="Name of observer or witness",
        max_length=150,
        required=False,
        help_text="Needed for witness testimony.",
    )
    witness_role = forms.CharField(
        label="Their role", max_length=150, required=False, help_text="For example 'Staff nurse'."
    )
    competences = forms.MultipleChoiceField(
        label="Competences this shows",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Evidence can count for several competences.",
    )
    attachments = _files_field()

    def __init__(self, *args: Any, competence_choices: list[tuple[int, str]] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if competence_choices is None:
            del self.fields["competences"]
        else:
            cast(forms.MultipleChoiceField, self.fields["competences"]).choices = competence_choices

    def clean_occurred_on(self) -> dt.date | None:
        return _not_future(self.cleaned_data.get("occurred_on"), "The date")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") == EvidenceKind.WITNESS and not (data.get("witness_name") or "").strip():
            self.add_error("witness_name", "Enter the name of the witness")
        return data

    def competence_ids(self) -> list[int]:
        return [int(pk) for pk in self.cleaned_data.get("competences") or []]


class EvidenceEditForm(EvidenceForm):
    remove_files = forms.MultipleChoiceField(
        label="Remove files", required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, file_choices: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, competence_choices=None, **kwargs)
        if file_choices:
            cast(forms.MultipleChoiceField, self.fields["remove_files"]).choices = file_choices
        else:
            del self.fields["remove_files"]
        self.fields["attachments"].label = "Add files"

    def remove_file_ids(self) -> list[int]:
        return [int(pk) for pk in self.cleaned_data.get("remove_files") or []]


class LinkForm(forms.Form):
    competences = forms.MultipleChoiceField(
        label="Add competences",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Select at least one competence"},
    )

    def __init__(self, *args: Any, competence_choices: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.MultipleChoiceField, self.fields["competences"]).choices = competence_choices

    def competence_ids(self) -> list[int]:
        return [int(pk) for pk in self.cleaned_data["competences"]]


class SignOffRequestForm(forms.Form):
    competence = forms.TypedChoiceField(
        label="Competence",
        coerce=int,
        error_messages={"required": "Select the competence"},
    )
    level_sought = forms.ChoiceField(label="Level you are asking for", required=False)
    evidence = forms.MultipleChoiceField(
        label="Evidence to include",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    assessor = forms.TypedChoiceField(
        label="Assessor",
        coerce=int,
        required=False,
        empty_value=None,
        help_text="Registered professionals who assess for your team. Everyone on the list is told if you "
        "leave it to any of them.",
    )
    message = forms.CharField(
        label="Message to the assessor",
        required=False,
        widget=forms.Textarea,
        help_text="For example, when you are next on shift together.",
    )

    def __init__(
        self,
        *args: Any,
        competences: list[tuple[int, str]],
        levels: list[tuple[str, str]],
        evidence: list[tuple[int, str]],
        assessors: list[tuple[int, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        fields = self.fields
        cast(forms.ChoiceField, fields["competence"]).choices = [("", "Select a competence"), *competences]
        cast(forms.ChoiceField, fields["level_sought"]).choices = [("", "Let the assessor decide"), *levels]
        cast(forms.ChoiceField, fields["assessor"]).choices = [("", "Any assessor for my team"), *assessors]
        if evidence:
            cast(forms.MultipleChoiceField, fields["evidence"]).choices = evidence
        else:
            del fields["evidence"]

    def evidence_ids(self) -> list[int]:
        return [int(pk) for pk in self.cleaned_data.get("evidence") or []]


class SignOffForm(forms.Form):
    level = forms.ChoiceField(
        label="Level",
        widget=forms.RadioSelect,
        error_messages={"required": "Select the level you are signing off"},
    )
    assessed_on = NHSDateField(
        label="Date assessed",
        error_messages={"required": "Enter the date assessed"},
    )
    comments = forms.CharField(label="Comments", required=False, widget=forms.Textarea)
    # Set by the confirmation step when the level chosen is below the one the worker's role needs.
    confirm_below = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, levels: list[tuple[str, str]], **kwargs: Any) -> None:
        kwargs["initial"] = {"assessed_on": timezone.localdate(), **(kwargs.get("initial") or {})}
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["level"]).choices = levels

    def clean_assessed_on(self) -> dt.date | None:
        return _not_future(self.cleaned_data.get("assessed_on"), "The date assessed")


class ReturnForm(forms.Form):
    feedback = forms.CharField(
        label="Feedback",
        widget=forms.Textarea,
        help_text="What the worker needs to do or show before you can sign it off.",
        error_messages={"required": "Enter feedback saying what is needed"},
    )


class CorrectionForm(forms.Form):
    level = forms.ChoiceField(
        label="Correct level",
        widget=forms.RadioSelect,
        error_messages={"required": "Select the correct level"},
    )
    assessed_on = NHSDateField(
        label="Correct date assessed",
        error_messages={"required": "Enter the date assessed"},
    )
    reason = forms.CharField(
        label="Reason for the correction",
        widget=forms.Textarea,
        error_messages={"required": "Enter the reason for the correction"},
    )

    def __init__(self, *args: Any, levels: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["level"]).choices = levels

    def clean_assessed_on(self) -> dt.date | None:
        return _not_future(self.cleaned_data.get("assessed_on"), "The date assessed")


class WithdrawalForm(forms.Form):
    reason = forms.CharField(
        label="Reason for withdrawing the sign-off",
        widget=forms.Textarea,
        error_messages={"required": "Enter the reason for withdrawing the sign-off"},
    )
    confirm = forms.BooleanField(
        label="Yes, withdraw this sign-off: it will no longer count from today",
        error_messages={"required": "Confirm that you want to withdraw the sign-off"},
    )


class QueueFilterForm(forms.Form):
    """The sign-off queue's filters, as GET parameters: the page's address can be bookmarked or linked to
    (the phone's home page links to `/assessments/?mine=1`)."""

    hide_optional = True
    team = forms.TypedChoiceField(label="Team", coerce=int, required=False, empty_value=None)
    competence = forms.ChoiceField(label="Competence", required=False)
    waiting = forms.TypedChoiceField(
        label="Waiting",
        coerce=int,
        required=False,
        empty_value=None,
        choices=[
            ("", "Any time"),
            ("7", "A week or more"),
            ("14", "Two weeks or more"),
            ("28", "Four weeks or more"),
        ],
    )
    mine = forms.ChoiceField(
        label="Addressed to",
        required=False,
        choices=[("", "Anyone for my teams"), ("1", "Me, or any assessor")],
    )
    sort = forms.ChoiceField(
        label="Sort by",
        required=False,
        choices=[
            ("oldest", "Waiting longest first"),
            ("newest", "Newest first"),
            ("person", "Person"),
            ("competence", "Competence"),
        ],
    )

    def __init__(
        self, *args: Any, teams: list[tuple[int, str]], competences: list[tuple[str, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["team"]).choices = [("", "All my teams"), *teams]
        cast(forms.ChoiceField, self.fields["competence"]).choices = [("", "Any competence"), *competences]
