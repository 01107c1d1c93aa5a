from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from . import audit_actions, selectors


def add_service_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Put a ValidationError raised by a service on the form that asked for the change.

    Services validate what only they can know (state, uniqueness, scope) and name the field they mean. An error for
    a field the form has goes on that field, so the NHS error message sits beside the input; anything else (an
    error for a model field the form does not show, ``__all__``/NON_FIELD_ERRORS, or a plain list-style error)
    goes to the form's non-field errors, which the NHS error summary shows at the top of the page. Errors are
    passed on as ValidationErrors, so their codes and params are kept.
    """
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, errors in error.error_dict.items():
        form.add_error(name if name in form.fields else None, errors)


class AuditFilterForm(forms.Form):
    hide_optional = True  # every filter is optional
    # A callable: the actions are those the apps registered when they were ready, not at import.
    action = forms.ChoiceField(choices=lambda: [("", "Any action"), *audit_actions.choices()], required=False)
    actor = forms.CharField(label="Who (email contains)", required=False, max_length=254)
    since = forms.DateField(label="From", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label="To", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self) -> dict[str, Any]:
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
