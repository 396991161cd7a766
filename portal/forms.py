"""Forms of the portal app: a person's own preferences, the date field every form uses, and
how a service's refusal lands on the form that asked for the change."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.forms.renderers import DjangoTemplates
from django.forms.renderers import Jinja2
from django.template import TemplateDoesNotExist
from django.utils.functional import cached_property
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from .models import UserPreferences

DAY_FORMAT = "%d.%m.%Y"
# d.m.yyyy as the pages show dates; ISO as older links, scripts and tests send them.
DAY_INPUT_FORMATS = [DAY_FORMAT, "%Y-%m-%d"]


class WidgetRenderer(Jinja2):
    """The form renderer (settings.FORM_RENDERER): Django's own Jinja2 widget templates
    (django/forms/jinja2, ours in portal/jinja2), the same markup as its Django-template ones
    at a fraction of the Python calls; a template only Django templates give (the admin's
    widgets) through Django's Django-template renderer."""

    @cached_property
    def django_templates(self) -> DjangoTemplates:
        return DjangoTemplates()

    def get_template(self, template_name):
        try:
            return super().get_template(template_name)
        except TemplateDoesNotExist:
            return self.django_templates.get_template(template_name)


class CompactSelect(forms.Select):
    """A select for plain choices (filters): no per-option attributes and no option groups
    (a `ChoiceField` of a long list of people or work packages). The markup is Django's; the
    options are joined into one string (each value and label escaped) instead of an include,
    or a loop step, per option: a filter form's 40 options cost a hanke page ~8 000 Python
    calls through the template engine, ~300 so (docs/performance.md)."""

    template_name = "portal/widgets/compact_select.html"

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        return {"value": value, "label": label, "selected": selected}

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["options"] = SafeString(
            "".join(
                f'\n  <option value="{conditional_escape(str(option["value"]))}"'
                f"{' selected' if option['selected'] else ''}>"
                f"{conditional_escape(option['label'])}</option>"
                for _group, options, _index in context["widget"]["optgroups"]
                for option in options
            )
        )
        return context


class DayInput(forms.DateInput):
    """A date typed as d.m.yyyy (30.6.2022), in every language, as the pages show dates.

    Not <input type="date">: its format follows the browser's locale (mm/dd/yyyy in an
    English browser), not the language of the page.
    """

    input_type = "text"

    def __init__(self, attrs=None):
        attrs = {"inputmode": "numeric", "autocomplete": "off", "size": 10, **(attrs or {})}
        super().__init__(attrs=attrs, format=DAY_FORMAT)


class DayField(forms.DateField):
    """A date field entered as d.m.yyyy, with the format in its help text."""

    widget = DayInput
    input_formats = DAY_INPUT_FORMATS

    def __init__(self, *, help_text="", **kwargs):
        hint = _("As d.m.yyyy, e.g. 30.6.2022.")
        help_text = format_lazy("{} {}", help_text, hint) if help_text else hint
        super().__init__(help_text=help_text, **kwargs)


def add_service_errors(form: forms.Form, exc: ValidationError) -> None:
    """Attach a service's ValidationError to the form: a message about one of the form's
    fields to that field, every other message (and a plain list of them) to the whole form."""
    if not hasattr(exc, "error_dict"):
        for message in exc.messages:
            form.add_error(None, message)
        return
    for field, errors in exc.message_dict.items():
        for error in errors:
            form.add_error(field if field in form.fields else None, error)


class PreferencesForm(forms.ModelForm):
    class Meta:
        model = UserPreferences
        fields = ["language", "digest_enabled"]
        labels = {
            "language": _("Language of e-mail"),
            "digest_enabled": _("Send me the weekly digest"),
        }
        help_texts = {
            "digest_enabled": _(
                "On Monday mornings: the actions you own that are late and the risks you own "
                "whose review date has passed. Nothing is sent in a week with nothing to report."
            ),
        }
