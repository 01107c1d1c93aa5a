"""Every form says what to do in the user's words: no required field of any form falls back to Django's "This
field is required." (issue 14)."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

from django import forms

import cultivate

DJANGO_REQUIRED = str(forms.Field.default_error_messages["required"])


def _form_classes() -> list[type[forms.BaseForm]]:
    found = []
    for module_info in pkgutil.walk_packages(cultivate.__path__, "cultivate."):
        name = module_info.name
        if ".tests" in name or ".migrations" in name or not name.endswith("forms"):
            continue
        module = importlib.import_module(name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, forms.BaseForm) and cls.__module__ == name:
                found.append(cls)
    return found


def test_no_required_field_says_this_field_is_required() -> None:
    classes = _form_classes()
    assert len(classes) > 20
    plain = [
        f"{cls.__module__}.{cls.__name__}.{field_name}"
        for cls in classes
        for field_name, field in cls.base_fields.items()
        if field.required and str(field.error_messages.get("required")) == DJANGO_REQUIRED
    ]
    assert plain == []


def test_password_forms_too() -> None:
    from cultivate.accounts import forms as account_forms
    from cultivate.accounts.testing import make_user

    user = make_user.__globals__["User"](email="x@example.nhs.uk")
    for form in (
        account_forms.PasswordChangeForm(user, data={}),
        account_forms.SetPasswordForm(user, data={}),
    ):
        assert not form.is_valid()
        messages = [message for errors in form.errors.values() for message in errors]
        assert messages and DJANGO_REQUIRED not in messages
