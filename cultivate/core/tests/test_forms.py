"""The one helper that puts a service's ValidationError on a form: a field it names goes beside that input,
anything else to the non-field errors that the NHS error summary shows."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from cultivate.core.forms import NHSDateField, NHSDateWidget, add_service_errors


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


class _DateForm(forms.Form):
    on = NHSDateField(label="Date assessed", latest=dt.date(2026, 12, 6))
    until = NHSDateField(label="Ends on", required=False)


def _date_errors(**data: str) -> dict[str, list[str]]:
    form = _DateForm(data=data)
    form.is_valid()
    return {name: [str(error) for error in errors] for name, errors in form.errors.items()}


def test_the_date_input_reads_day_month_and_year_boxes_and_a_month_name() -> None:
    form = _DateForm(data={"on_day": "6", "on_month": "Dec", "on_year": "2026"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data == {"on": dt.date(2026, 12, 6), "until": None}
    # A script posting one ISO date under the field's name is understood too.
    form = _DateForm(data={"on": "2026-03-01"})
    assert form.is_valid() and form.cleaned_data["on"] == dt.date(2026, 3, 1)


def test_the_date_input_says_what_is_wrong_in_the_nhs_words() -> None:
    assert _date_errors() == {"on": ["Enter date assessed"]}
    assert _date_errors(on_day="6", on_year="2026") == {"on": ["Date assessed must include a month"]}
    assert _date_errors(on_day="31", on_month="2", on_year="2026") == {
        "on": ["Date assessed must be a real date"]
    }
    assert _date_errors(on_day="1", on_month="2", on_year="26") == {"on": ["Year must include 4 numbers"]}
    assert _date_errors(on_day="7", on_month="12", on_year="2026") == {
        "on": ["Date assessed must be the same as or before 6 December 2026"]
    }
    assert _date_errors(on_day="1", on_month="1", on_year="2026", until_month="3") == {
        "until": ["Ends on must include a day and a year"]
    }


def test_the_date_input_shows_what_was_typed_or_the_initial_date() -> None:
    widget = NHSDateWidget()
    assert widget.parts(dt.date(2026, 3, 1)) == {"day": "1", "month": "3", "year": "2026"}
    assert widget.parts(["31", "2", "x"]) == {"day": "31", "month": "2", "year": "x"}
    assert widget.parts(None) == {"day": "", "month": "", "year": ""}
