"""The forms of the import and job-title review pages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile

from cultivate.organisations.models import SupportRole

from .services import MAX_UPLOAD_MB

ACCEPTED = (".zip", ".xlsx")


class ExtractUploadForm(forms.Form):
    extract = forms.FileField(
        label="Workforce extract",
        help_text="A zip of CSV files, a zip of Parquet files, or an XLSX workbook with one sheet per file.",
        widget=forms.ClearableFileInput(attrs={"accept": ".zip,.xlsx"}),
        error_messages={
            "required": "Select the extract to upload (a .zip or .xlsx file)",
            "empty": "The extract file is empty",
        },
    )

    def clean_extract(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["extract"]
        if Path(upload.name or "").suffix.lower() not in ACCEPTED:
            raise forms.ValidationError(
                "The extract must be a .zip file (of CSV or Parquet files) or an .xlsx workbook"
            )
        if (upload.size or 0) > MAX_UPLOAD_MB * 1024 * 1024:
            raise forms.ValidationError(f"The extract must be smaller than {MAX_UPLOAD_MB} MB")
        return upload


ACCEPT, REJECT = "accept", "reject"


class ReviewDecisionForm(forms.Form):
    """Accept a title as one of the catalogue's roles, or reject it as not a support role."""

    # The role is needed only when accepting, which the hint says; "(optional)" would mislead.
    hide_optional = True

    decision = forms.ChoiceField(
        label="Decision",
        choices=[(ACCEPT, "It is this role"), (REJECT, "It is not a support role")],
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether the title is a support role"},
    )
    role = forms.ModelChoiceField(
        label="Role",
        queryset=SupportRole.objects.none(),
        required=False,
        empty_label="Choose a role",
        help_text="The role in the catalogue that people with this title do, when it is a support role.",
        error_messages={"invalid_choice": "Select a role from the list"},
    )

    def __init__(self, *args: Any, roles: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["role"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = roles

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("decision") == ACCEPT and not data.get("role"):
            self.add_error("role", "Select the role the title maps to")
        if data.get("decision") == REJECT:
            data["role"] = None
        return data
