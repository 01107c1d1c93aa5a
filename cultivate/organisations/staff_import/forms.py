"""The upload form: the two CSV files of an ESR-style extract."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

from .columns import ASSIGNMENTS_FILE, PEOPLE_FILE


class StaffImportForm(forms.Form):
    people = forms.FileField(
        label="People file",
        help_text="people.csv: one row per person, with person_id and the optional characteristics columns.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
        error_messages={
            "required": "Select the people file (people.csv)",
            "empty": "The people file is empty",
        },
    )
    assignments = forms.FileField(
        label="Assignments file",
        help_text="assignments.csv: one row per employment spell, with assignment_id, person_id, "
        "organisation_code, afc_band, contract_type, fte and start_date.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
        error_messages={
            "required": "Select the assignments file (assignments.csv)",
            "empty": "The assignments file is empty",
        },
    )

    def _csv(self, name: str, expected: str) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data[name]
        what = f"The {name} file"
        if not (upload.name or "").lower().endswith(".csv"):
            raise forms.ValidationError(f"{what} must be a CSV file, like {expected}")
        limit = settings.STAFF_IMPORT_MAX_UPLOAD_MB
        if (upload.size or 0) > limit * 1024 * 1024:
            raise forms.ValidationError(f"{what} must be smaller than {limit} MB")
        return upload

    def clean_people(self) -> UploadedFile:
        return self._csv("people", PEOPLE_FILE)

    def clean_assignments(self) -> UploadedFile:
        return self._csv("assignments", ASSIGNMENTS_FILE)
