"""A form renderer that writes the common widgets in Python.

A sheet renders hundreds of widgets (an organisations sheet with 41 meetings has about 360), and
Django renders each through three nested templates (the widget, ``input.html``, ``attrs.html``):
that was two thirds of the sheet's time. This renderer builds ``<input>``, ``<select>`` and
``<textarea>`` with exactly the markup of Django's own templates (a test renders every form of
every sheet both ways and compares) and leaves any other template to the template engine.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

from django.forms.renderers import DjangoTemplates
from django.utils.formats import localize
from django.utils.functional import Promise
from django.utils.safestring import mark_safe

WIDGETS = "django/forms/widgets/"


def escape_text(value: Any) -> str:
    """``conditional_escape`` without its lazy-argument wrapper, which costs more than the
    escaping itself at a few thousand attributes per sheet: the same characters escaped."""
    if isinstance(value, Promise):
        value = str(value)
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))


def _text(value: Any) -> str:
    """``{{ value }}`` in a template: localised, then escaped unless already safe."""
    return escape_text(localize(value))


def _attrs(attrs: dict[str, Any]) -> str:
    """``attrs.html``: ``True`` is a bare attribute, ``False`` none, anything else its text."""
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            parts.append(f" {_text(name)}")
        else:
            parts.append(f' {_text(name)}="{escape_text(str(value))}"')
    return "".join(parts)


def _input(widget: dict[str, Any]) -> str:
    value = "" if widget["value"] is None else f' value="{escape_text(str(widget["value"]))}"'
    return f'<input type="{_text(widget["type"])}" name="{_text(widget["name"])}"{value}{_attrs(widget["attrs"])}>'


def _option(option: dict[str, Any]) -> str:
    return (f'<option value="{escape_text(str(option["value"]))}"{_attrs(option["attrs"])}>'
            f'{_text(option["label"])}</option>')


def _select(widget: dict[str, Any]) -> str:
    html = [f'<select name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            html.append(f'\n  <optgroup label="{_text(group_name)}">')
        # select_option.html ends with a newline, which the include keeps.
        html.extend(f"\n  {_option(option)}\n" for option in group_choices)
        if group_name:
            html.append("\n  </optgroup>")
    html.append("\n</select>")
    return "".join(html)


def _textarea(widget: dict[str, Any]) -> str:
    value = _text(widget["value"]) if widget["value"] else ""
    return f'<textarea name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>\n{value}</textarea>'


# Django's widget templates that only include input.html, and the ones built here.
_INPUTS = ("text", "number", "email", "url", "tel", "search", "password", "hidden", "date", "time", "datetime",
           "checkbox", "color", "input")
BUILDERS: dict[str, Callable[[dict[str, Any]], str]] = {
    **{f"{WIDGETS}{name}.html": _input for name in _INPUTS},
    f"{WIDGETS}select.html": _select,
    f"{WIDGETS}textarea.html": _textarea,
}


class FastWidgetRenderer(DjangoTemplates):
    """Django's default renderer, with the common widgets written in Python."""

    def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> str:
        # The project overrides none of these templates; one that did would need its builder removed.
        build = BUILDERS.get(template_name)
        if build is None:
            return super().render(template_name, context, request=request)
        return mark_safe(build(context["widget"]))  # every part is escaped above
