from __future__ import annotations

from django import forms

from . import selectors
from .models import AuditAction


class AuditFilterForm(forms.Form):
    hide_optional = True  # every filter is optional
    action = forms.ChoiceField(choices=[("", "Any action"), *AuditAction.choices], required=False)
    actor = forms.CharField(label="Who (email contains)", required=False, max_length=254)
    since = forms.DateField(label="From", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label="To", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self) -> dict:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and until < since:
            self.add_error("until", "The end date must be the same as or after the start date.")
        return data

    def filters(self) -> selectors.AuditFilters:
        data = self.cleaned_data
        return selectors.AuditFilters(
            action=data.get("action") or "",
            actor=data.get("actor") or "",
            since=data.get("since"),
            until=data.get("until"),
        )
