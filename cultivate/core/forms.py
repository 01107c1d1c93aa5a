from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from . import audit_actions, selectors
from .formatting import uk_date
from .models import EmailChoice


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


# The NHS.UK date input: three boxes (day, month, year), never the browser's own picker, whose format and
# keyboard use differ from browser to browser. Messages follow the NHS.UK pattern and name what is wrong.
_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}


class NHSDateWidget(forms.MultiWidget):
    """Day, month and year boxes; rendered by ``components/forms.jinja`` as the NHS.UK date input."""

    template_name = ""  # rendered by the Jinja2 macro, never by Django's form renderer

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(
            {"day": forms.TextInput(), "month": forms.TextInput(), "year": forms.TextInput()}, attrs=attrs
        )

    def decompress(self, value: Any) -> list[Any]:
        if isinstance(value, date):
            return [value.day, value.month, value.year]
        return [None, None, None]

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        parts = super().value_from_datadict(data, files, name)
        # A client posting one ISO date ("2026-12-06") under the field's own name (the API's tests, scripts) is
        # still understood; the page always posts the three boxes.
        if not any(parts) and data.get(name):
            return data.get(name)
        return parts

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return name not in data and super().value_omitted_from_data(data, files, name)

    def parts(self, value: Any) -> dict[str, str]:
        """The three boxes' text for a bound field's value (as typed) or initial value (a date)."""
        if isinstance(value, date):
            value = self.decompress(value)
        if not isinstance(value, (list, tuple)) or len(value) != 3:
            value = [None, None, None]
        return {
            key: "" if part is None else str(part)
            for key, part in zip(("day", "month", "year"), value, strict=True)
        }


class NHSDateField(forms.Field):
    """A date typed as day, month and year, with the NHS.UK error messages.

    ``earliest`` and ``latest`` (dates, or callables returning one) bound it with a message in words; a month may
    be typed as a number or a name ("12", "Dec", "December").
    """

    widget = NHSDateWidget
    # Empty: the message is "Enter <label>" unless the form gives its own.
    default_error_messages = {"required": ""}

    def __init__(
        self,
        *,
        earliest: date | Callable[[], date] | None = None,
        latest: date | Callable[[], date] | None = None,
        **kwargs: Any,
    ) -> None:
        self.earliest = earliest
        self.latest = latest
        super().__init__(**kwargs)

    def _what(self) -> str:
        label = str(self.label or "the date")
        return label[:1].upper() + label[1:]

    def to_python(self, value: Any) -> date | None:
        if isinstance(value, date):
            return value
        if isinstance(value, str):
            try:
                return date.fromisoformat(value.strip())
            except ValueError:
                raise ValidationError(f"{self._what()} must be a real date", code="invalid") from None
        if not isinstance(value, (list, tuple)):
            value = [None, None, None]
        day, month, year = (str(part or "").strip() for part in value)
        what = self._what()
        if not (day or month or year):
            return None
        missing = [name for name, part in (("day", day), ("month", month), ("year", year)) if not part]
        if missing:
            raise ValidationError(f"{what} must include a {' and a '.join(missing)}", code="incomplete")
        month_number = int(month) if month.isdigit() else _MONTHS.get(month.lower())
        if not day.isdigit() or month_number is None or not year.isdigit():
            raise ValidationError(f"{what} must be a real date", code="invalid")
        if len(year) != 4:
            raise ValidationError("Year must include 4 numbers", code="invalid_year")
        try:
            return date(int(year), month_number, int(day))
        except ValueError:
            raise ValidationError(f"{what} must be a real date", code="invalid") from None

    def validate(self, value: Any) -> None:
        if value in self.empty_values and self.required:
            message = self.error_messages["required"] or f"Enter {str(self.label or 'the date').lower()}"
            raise ValidationError(message, code="required")
        if value in self.empty_values:
            return
        earliest = self.earliest() if callable(self.earliest) else self.earliest
        latest = self.latest() if callable(self.latest) else self.latest
        what = self._what()
        if earliest and value < earliest:
            raise ValidationError(
                f"{what} must be the same as or after {uk_date(earliest)}", code="too_early"
            )
        if latest and value > latest:
            raise ValidationError(f"{what} must be the same as or before {uk_date(latest)}", code="too_late")

    def has_changed(self, initial: Any, data: Any) -> bool:
        try:
            return self.to_python(data) != self.to_python(initial)
        except ValidationError:
            return True


class AuditFilterForm(forms.Form):
    hide_optional = True  # every filter is optional
    # A callable: the actions are those the apps registered when they were ready, not at import.
    action = forms.ChoiceField(choices=lambda: [("", "Any action"), *audit_actions.choices()], required=False)
    actor = forms.CharField(label="Who (email contains)", required=False, max_length=254)
    person = forms.CharField(label="About whom (name or staff ID)", required=False, max_length=100)
    since = NHSDateField(label="From", required=False)
    until = NHSDateField(label="To", required=False)
    order = forms.ChoiceField(
        label="Order", choices=[("", "Newest first"), ("oldest", "Oldest first")], required=False
    )

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
            oldest_first=data.get("order") == "oldest",
        )

    def described(self) -> dict[str, str]:
        """The filters as typed, for the record of an export."""
        data = self.cleaned_data
        return {
            "action": data.get("action") or "",
            "actor": data.get("actor") or "",
            "person": data.get("person") or "",
            "since": data["since"].isoformat() if data.get("since") else "",
            "until": data["until"].isoformat() if data.get("until") else "",
        }


class NotificationSettingsForm(forms.Form):
    """How the user wants to be emailed; in the service they are always told."""

    email = forms.ChoiceField(
        label="How should we email you?",
        help_text="Whatever you choose, your notifications are always on the Notifications page.",
        choices=[
            (EmailChoice.EACH, "Each notification, as it happens"),
            (EmailChoice.DIGEST, "One summary a day of what changed"),
            (EmailChoice.NONE, "No emails"),
        ],
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose how we should email you",
            "invalid_choice": "Choose one of the options",
        },
    )
