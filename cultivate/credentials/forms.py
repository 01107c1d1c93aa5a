"""Input for the credentials pages."""

from __future__ import annotations

import json
from typing import Any

from django import forms

MAX_UPLOAD_BYTES = 2 * 1024 * 1024


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label="Why is it revoked?",
        help_text="The verification page shows this reason to anyone who checks the credential.",
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter why the credential is revoked"},
    )


class CredentialFileForm(forms.Form):
    """A credential or competence record as a JSON file, or pasted."""

    file = forms.FileField(
        label="The credential or record file (.json)",
        required=False,
        error_messages={"invalid": "Choose a JSON file"},
    )
    text = forms.CharField(
        label="Or paste its JSON",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "spellcheck": "false"}),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        upload, text = cleaned.get("file"), (cleaned.get("text") or "").strip()
        if upload is None and not text:
            raise forms.ValidationError("Choose the file you were given, or paste its JSON")
        if upload is not None:
            if upload.size > MAX_UPLOAD_BYTES:
                self.add_error("file", "The file must be smaller than 2 MB")
                return cleaned
            raw = upload.read()
        else:
            raw = text.encode()
        try:
            cleaned["document"] = json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            self.add_error(
                "file" if upload is not None else "text",
                "This is not a credential: it cannot be read as JSON. Use the .json file you downloaded",
            )
        return cleaned
