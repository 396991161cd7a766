"""portal.form_saves.form_save: what a view gets back from a write service for a valid form."""

from __future__ import annotations

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.http import Http404

from portal.form_saves import form_save


class _Form(forms.Form):
    name = forms.CharField()


class _Changed(Exception):
    def __init__(self, current):
        super().__init__("changed underneath")
        self.current = current


def _valid_form() -> _Form:
    form = _Form({"name": "Uusi"})
    assert form.is_valid()
    return form


def _raise(exc):
    def save():
        raise exc

    return save


def test_a_saved_write_gives_its_result():
    form = _valid_form()
    assert form_save(form, lambda: "tallennettu", _Changed) == ("tallennettu", None)
    assert not form.errors


def test_a_refused_write_puts_its_messages_on_the_form():
    form = _valid_form()
    refused = ValidationError({"name": "Nimi on jo käytössä.", "other": "Muu virhe."})
    assert form_save(form, _raise(refused), _Changed) == (None, None)
    assert form.errors["name"] == ["Nimi on jo käytössä."]
    assert form.non_field_errors() == ["Muu virhe."]


def test_a_stale_write_gives_the_row_as_saved_meanwhile():
    form = _valid_form()
    assert form_save(form, _raise(_Changed("nykyinen")), _Changed) == (None, "nykyinen")
    assert not form.errors


def test_a_write_to_a_row_deleted_meanwhile_is_not_found():
    with pytest.raises(Http404):
        form_save(_valid_form(), _raise(_Changed(None)), _Changed)


def test_without_a_conflict_class_a_conflict_is_not_caught():
    with pytest.raises(_Changed):
        form_save(_valid_form(), _raise(_Changed("nykyinen")))
