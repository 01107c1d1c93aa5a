"""The one helper that puts a service's ValidationError on a form: a field it names goes beside that input,
anything else to the non-field errors that the NHS error summary shows."""

from __future__ import annotations

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from cultivate.core.forms import add_service_errors


class _NameForm(forms.Form):
    name = forms.CharField()


def _bound_form() -> _NameForm:
    form = _NameForm(data={"name": "Ward 7"})
    assert form.is_valid()
    return form


def test_an_error_for_a_field_the_form_has_goes_on_that_field() -> None:
    form = _bound_form()
    add_service_errors(form, ValidationError({"name": "A team with this name already exists."}))
    assert form.errors["name"] == ["A team with this name already exists."]
    assert NON_FIELD_ERRORS not in form.errors
    assert "name" not in form.cleaned_data


def test_an_error_for_a_field_the_form_lacks_and_all_go_to_the_non_field_errors() -> None:
    form = _bound_form()
    add_service_errors(
        form,
        ValidationError(
            {
                "organisation": "The organisation is archived.",
                NON_FIELD_ERRORS: ValidationError("Item %(code)s is retired.", params={"code": "K1"}),
            }
        ),
    )
    assert form.non_field_errors() == ["The organisation is archived.", "Item K1 is retired."]
    assert set(form.errors) == {NON_FIELD_ERRORS}


def test_a_list_style_error_goes_to_the_non_field_errors_with_its_code() -> None:
    form = _bound_form()
    error = ValidationError(
        [ValidationError("First problem.", code="refused"), ValidationError("Second problem.")]
    )
    add_service_errors(form, error)
    assert form.non_field_errors() == ["First problem.", "Second problem."]
    assert form.has_error(NON_FIELD_ERRORS, code="refused")
