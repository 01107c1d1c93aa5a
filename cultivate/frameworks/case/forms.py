"""The upload form of the CASE import page."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

DEFAULT_MAX_UPLOAD_MB = 50


def max_upload_mb() -> int:
    return int(getattr(settings, "CASE_IMPORT_MAX_UPLOAD_MB", DEFAULT_MAX_UPLOAD_MB))


class CaseImportForm(forms.Form):
    package = forms.FileField(
        label="CASE package",
        help_text="A CASE 1.1 or 1.0 JSON file (.json) holding the CFDocument, its CFItems and CFAssociations.",
        widget=forms.ClearableFileInput(attrs={"accept": ".json,application/json"}),
        error_messages={
            "required": "Select a CASE package (a .json file)",
            "empty": "The selected file is empty",
        },
    )

    def clean_package(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["package"]
        if not (upload.name or "").lower().endswith(".json"):
            raise forms.ValidationError("The selected file must be a JSON file, ending .json")
        limit = max_upload_mb()
        if (upload.size or 0) > limit * 1024 * 1024:
            raise forms.ValidationError(f"The selected file must be smaller than {limit} MB")
        return upload
