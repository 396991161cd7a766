"""A form renderer that writes Django's plain widgets in Python instead of templates.

Django renders every widget, and every <option> of a select, through a template include.
On an edit page that is most of the page's time: the action page's status form (a select,
two date inputs, a text input, a textarea and a hidden field) cost more than its queries.
`FastFormRenderer` (settings.FORM_RENDERER) writes the same markup as Django's own
templates for the input, textarea, select and option widgets and hands every other
template (error lists, form layouts, radio buttons, …) to Django's renderer unchanged.
tests/test_form_renderer.py compares the two renderers' output widget by widget.
"""

from __future__ import annotations

from django.forms.renderers import DjangoTemplates
from django.utils.formats import localize
from django.utils.html import conditional_escape, format_html, format_html_join

WIDGETS = "django/forms/widgets/"
INPUT_TEMPLATES = frozenset(
    WIDGETS + name + ".html"
    for name in (
        "input",
        "checkbox",
        "color",
        "date",
        "datetime",
        "email",
        "file",
        "hidden",
        "number",
        "password",
        "search",
        "tel",
        "text",
        "time",
        "url",
    )
)


def attributes(attrs: dict) -> str:
    """What attrs.html writes: ` name="value"`, a True value as the bare name, False left out."""
    return format_html_join(
        "",
        "{}",
        (
            (
                format_html(" {}", name)
                if value is True
                else format_html(' {}="{}"', name, str(value)),
            )
            for name, value in attrs.items()
            if value is not False
        ),
    )


def _text(value) -> str:
    """A value printed by `{{ value }}`: localized, then escaped."""
    value = localize(value)
    return conditional_escape(value if isinstance(value, str) else str(value))


def render_input(widget: dict) -> str:
    value = "" if widget["value"] is None else format_html(' value="{}"', str(widget["value"]))
    return format_html(
        '<input type="{}" name="{}"{}{}>',
        widget["type"],
        widget["name"],
        value,
        attributes(widget["attrs"]),
    )


def render_textarea(widget: dict) -> str:
    text = _text(widget["value"]) if widget["value"] else ""
    return format_html(
        '<textarea name="{}"{}>\n{}</textarea>', widget["name"], attributes(widget["attrs"]), text
    )


def render_option(option: dict) -> str:
    return format_html(
        '<option value="{}"{}>{}</option>\n',  # select_option.html ends with a newline
        str(option["value"]),
        attributes(option["attrs"]),
        _text(option["label"]),
    )


def _join(parts) -> str:
    """Safe pieces joined, still safe (each piece was escaped when it was made)."""
    return format_html_join("", "{}", ((part,) for part in parts))


def render_select(widget: dict) -> str:
    parts = []
    for group_name, group_choices, _index in widget["optgroups"]:
        options = _join(_option(option) for option in group_choices)
        if group_name:
            options = format_html('\n  <optgroup label="{}">{}\n  </optgroup>', group_name, options)
        parts.append(options)
    return format_html(
        '<select name="{}"{}>{}\n</select>',
        widget["name"],
        attributes(widget["attrs"]),
        _join(parts),
    )


def _option(option: dict) -> str:
    if option["template_name"] != WIDGETS + "select_option.html":
        raise _Unknown
    return format_html("\n  {}", render_option(option))


class _Unknown(Exception):
    """A widget this module does not write; Django's template renders it."""


FAST = {
    **dict.fromkeys(INPUT_TEMPLATES, render_input),
    WIDGETS + "textarea.html": render_textarea,
    WIDGETS + "select.html": render_select,
    WIDGETS + "select_option.html": render_option,
}


class FastFormRenderer(DjangoTemplates):
    def render(self, template_name, context, request=None):
        fast = FAST.get(template_name)
        if fast is not None and "widget" in context:
            try:
                return fast(context["widget"])
            except _Unknown:
                pass
        return super().render(template_name, context, request=request)
