"""FastFormRenderer writes what Django's template renderer writes (no database)."""

from __future__ import annotations

import datetime
from pathlib import Path

import django
import pytest
from django import forms
from django.forms.renderers import DjangoTemplates, get_default_renderer
from django.utils import translation

from objectives.forms import ActionStatusForm
from portal.form_renderer import FAST, FastFormRenderer

FAST_RENDERER, DJANGO_RENDERER = FastFormRenderer(), DjangoTemplates()
CHOICES = [("", "–"), ("1", "Anna <Admin> & co"), ("2", 'Bertil "Ö"'), (3, 1234.5)]
GROUPED = [("Pohjoinen", [("a", "Lappi"), ("b", "Kainuu")]), ("c", "Uusimaa <HUS>")]
ATTRS = [None, {"id": "id_x", "required": True, "disabled": False, "aria-x": 'y"<', "n": None}]

WIDGETS = [
    (forms.TextInput(), ["", "plain", 'quote " and <tag>', 12.5, None]),
    (forms.NumberInput(attrs={"step": "0.01"}), [None, 3, "1,5"]),
    (forms.EmailInput(), ["a@example.invalid"]),
    (forms.PasswordInput(render_value=True), ["secret"]),
    (forms.HiddenInput(), [7, None]),
    (forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}), [datetime.date(2026, 2, 1), ""]),
    (forms.DateInput(), [datetime.date(2026, 2, 1)]),
    (forms.CheckboxInput(), [True, False, None]),
    (forms.FileInput(), [None]),
    (forms.Textarea(attrs={"rows": 3}), [None, "", "line 1\nline 2 <b>&", 1234.5]),
    (forms.Select(choices=CHOICES), [None, "", "2", 3, ["3"]]),
    (forms.Select(choices=GROUPED), ["b", "c"]),
    (forms.SelectMultiple(choices=CHOICES), [["1", "2"], []]),
    (forms.NullBooleanSelect(), [None, True, False]),
]
CASES = [
    pytest.param(widget, value, attrs, id=f"{type(widget).__name__}-{i}-{j}")
    for widget, values in WIDGETS
    for i, value in enumerate(values)
    for j, attrs in enumerate(ATTRS)
]


@pytest.mark.parametrize("language", ["fi", "en"])
@pytest.mark.parametrize(("widget", "value", "attrs"), CASES)
def test_each_widget_is_written_as_djangos_template_writes_it(widget, value, attrs, language):
    with translation.override(language):
        fast = widget.render("field", value, attrs, renderer=FAST_RENDERER)
        django_html = widget.render("field", value, attrs, renderer=DJANGO_RENDERER)
    assert fast == django_html


def test_labels_values_and_attributes_are_escaped():
    html = forms.Select(choices=CHOICES).render(
        "owner", "1", {"data-x": '"><script>'}, renderer=FAST_RENDERER
    )
    assert "&lt;Admin&gt; &amp; co" in html
    assert 'data-x="&quot;&gt;&lt;script&gt;"' in html
    assert "<script>" not in html


def test_other_templates_go_to_djangos_renderer():
    radio = forms.RadioSelect(choices=CHOICES).render("r", "1", renderer=FAST_RENDERER)
    assert radio == forms.RadioSelect(choices=CHOICES).render("r", "1", renderer=DJANGO_RENDERER)
    form = ActionStatusForm(data={}, people=None)
    assert form.is_valid() is False
    errors = str(form.errors["status"])
    assert errors.startswith('<ul class="errorlist')


def test_the_portal_renders_forms_with_it_and_djangos_templates_are_the_originals():
    """Were a widget template overridden (an app's or ours), the fast path would hide it."""
    assert isinstance(get_default_renderer(), FastFormRenderer)
    builtin = Path(django.__file__).parent / "forms" / "templates"
    engine = DJANGO_RENDERER.engine
    for name in FAST:
        origin = Path(engine.get_template(name).template.origin.name)
        assert origin.is_relative_to(builtin), name


# --- Model choices: one plain query -----------------------------------------------------------


@pytest.mark.django_db
def test_model_choices_are_read_with_one_query_and_still_validate(django_assert_num_queries):
    from django.contrib.auth import get_user_model

    from portal.fields import ModelChoiceField

    from .factories import UserFactory

    people = [UserFactory(first_name=name, last_name="Ö") for name in ("Anna", "Bertil")]
    field = ModelChoiceField(
        queryset=get_user_model().objects.order_by("first_name"), empty_label="–"
    )
    with django_assert_num_queries(1) as captured:
        html = field.widget.render("owner", people[1].pk, renderer=FAST_RENDERER)
    # a plain SELECT, not a server-side cursor's DECLARE (then FETCH and CLOSE)
    assert captured.captured_queries[0]["sql"].startswith("SELECT")
    assert html.count("<option") == 3 and f'value="{people[1].pk}" selected' in html
    assert field.clean(str(people[0].pk)) == people[0]
    with pytest.raises(forms.ValidationError):
        field.clean("999999")
