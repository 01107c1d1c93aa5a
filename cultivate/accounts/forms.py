from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any, TypeVar, cast

from django import forms
from django.contrib.auth import forms as auth_forms

from cultivate.core.forms import NHSDateField

from .models import TEAM_ROLES, Membership, RegistrationBody, Role, User


def email_field(required_message: str, **kwargs: Any) -> forms.EmailField:
    """An email address field with the NHS style's error messages."""
    return forms.EmailField(
        label="Email address",
        max_length=254,
        error_messages={
            "required": required_message,
            "invalid": "Enter an email address in the correct format, like name@example.nhs.uk",
        },
        **kwargs,
    )


class SignInForm(forms.Form):
    email = email_field("Enter your email address")
    password = forms.CharField(
        label="Password",
        widget=forms.PasswordInput,
        strip=False,
        error_messages={"required": "Enter your password"},
    )


class RoleChoiceForm(forms.Form):
    membership = forms.TypedChoiceField(
        label="Act as", coerce=int, widget=forms.RadioSelect, error_messages={"required": "Choose a role"}
    )

    def __init__(self, *args: Any, memberships: list[Membership], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["membership"]).choices = [(m.pk, str(m)) for m in memberships]


_FormClass = TypeVar("_FormClass", bound=type[forms.Form])
PASSWORD_REQUIRED = {
    "old_password": "Enter your current password",
    "new_password1": "Enter a new password",
    "new_password2": "Enter the new password again",
}


def _password_messages(cls: _FormClass) -> _FormClass:
    """Django's own password forms say "This field is required."; ours say what to enter. Each field is copied
    first: the originals belong to Django's forms (the admin site uses them)."""
    for name, message in PASSWORD_REQUIRED.items():
        if name in cls.base_fields:
            field = copy.deepcopy(cls.base_fields[name])
            field.error_messages = {**field.error_messages, "required": message}
            cls.base_fields[name] = field
    return cls


@_password_messages
class PasswordChangeForm(auth_forms.PasswordChangeForm):
    pass


class PasswordResetForm(auth_forms.PasswordResetForm):
    email = email_field("Enter your email address", widget=forms.EmailInput(attrs={"autocomplete": "email"}))


if TYPE_CHECKING:
    _SetPasswordForm = auth_forms.SetPasswordForm[User]
else:  # Django's form is not generic at run time
    _SetPasswordForm = auth_forms.SetPasswordForm


@_password_messages
class SetPasswordForm(_SetPasswordForm):
    pass


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        error_messages={"required": "Enter what the token is for"},
        label="Name",
        max_length=100,
        help_text="What the token is for, e.g. 'Rota system'.",
    )
    membership = forms.TypedChoiceField(
        error_messages={"required": "Choose the role the token acts in"},
        label="Role the token acts in",
        coerce=int,
        help_text="The token sees exactly what this role sees.",
    )
    expires_in_days = forms.TypedChoiceField(
        error_messages={"required": "Choose when the token expires"},
        label="Expires after",
        coerce=int,
        choices=[(30, "30 days"), (90, "90 days"), (365, "1 year")],
        initial=90,
    )

    def __init__(self, *args: Any, memberships: list[Membership], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["membership"]).choices = [(m.pk, str(m)) for m in memberships]


class UserForm(forms.Form):
    full_name = forms.CharField(
        label="Full name", max_length=150, error_messages={"required": "Enter the person's full name"}
    )
    email = email_field("Enter the person's email address")
    registration_body = forms.ChoiceField(
        label="Professional registration body",
        choices=[("", "Not a registered professional"), *RegistrationBody.choices],
        required=False,
        help_text="Needed for assessors, who sign off competence in practice.",
    )
    registration_pin = forms.CharField(label="Registration PIN", max_length=20, required=False)
    person = forms.TypedChoiceField(
        label="Staff record",
        coerce=int,
        required=False,
        empty_value=None,
        help_text="Link the account to the person's staff record, if they are staff of the organisation.",
    )

    def __init__(
        self, *args: Any, people: list[tuple[int, str]] | None = None, editing: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["person"]).choices = [("", "No staff record"), *(people or [])]
        if editing:
            del self.fields["email"]
            del self.fields["person"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        body, pin = data.get("registration_body"), (data.get("registration_pin") or "").strip()
        if body and not pin:
            self.add_error("registration_pin", "Enter the registration PIN for the chosen body.")
        if pin and not body:
            self.add_error("registration_body", "Choose the body the PIN is registered with.")
        email = data.get("email")
        if email and User.objects.filter(email__iexact=email).exists():
            self.add_error("email", "An account with this email address already exists.")
        return data


class MembershipForm(forms.Form):
    conditionally_required = ("teams",)
    role = forms.ChoiceField(label="Role", choices=Role.choices, error_messages={"required": "Choose a role"})
    organisation = forms.TypedChoiceField(
        label="Organisation",
        coerce=int,
        required=False,
        empty_value=None,
        help_text="For an organisation admin: the member organisation they will look after.",
    )
    teams = forms.TypedMultipleChoiceField(
        label="Teams (required for line managers and assessors)",
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="The teams they manage or assess for. Other roles need none.",
    )
    ends_on = NHSDateField(
        label="Ends on",
        required=False,
        help_text="Leave empty for a role with no end date.",
    )

    def __init__(
        self,
        *args: Any,
        roles: list[tuple[str, str]],
        teams: list[tuple[int, str]],
        organisations: list[tuple[int, str]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["role"]).choices = roles
        cast(forms.ChoiceField, self.fields["teams"]).choices = teams
        if not teams:
            del self.fields["teams"]
        if organisations:
            cast(forms.ChoiceField, self.fields["organisation"]).choices = [("", "Choose"), *organisations]
        else:
            del self.fields["organisation"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            "organisation" in self.fields
            and data.get("role") == Role.ORG_ADMIN
            and not data.get("organisation")
        ):
            self.add_error("organisation", "Choose the organisation this admin will look after.")
        return data


class InviteForm(forms.Form):
    """Accounts for several people at once, from their staff records: who, which role, which teams."""

    conditionally_required = ("teams",)

    people = forms.TypedMultipleChoiceField(
        label="People",
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one person to invite"},
    )
    role = forms.ChoiceField(
        label="Role",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the role they will have"},
    )
    teams = forms.TypedMultipleChoiceField(
        label="Teams (required for line managers)",
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="The teams a line manager manages. Other roles need none.",
    )

    def __init__(
        self,
        *args: Any,
        people: list[tuple[int, str]],
        roles: list[tuple[str, str]],
        teams: list[tuple[int, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["people"]).choices = people
        cast(forms.ChoiceField, self.fields["role"]).choices = roles
        cast(forms.ChoiceField, self.fields["teams"]).choices = teams

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("role") in TEAM_ROLES and not data.get("teams"):
            self.add_error("teams", "Choose at least one team for a line manager")
        return data
