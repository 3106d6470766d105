"""The rows of a record list, written in Python with exactly the markup of ``_record_row.html``.

A sheet with 41 meetings or 500 records draws one ``<tr>`` per record through the template
engine (an include, a loop over the fields, the errors) and every widget through the form
renderer: most of the sheet's time. Here a row is a few string joins, and a widget whose
inputs are the same as one already drawn in this list (same field, value, initial value,
attributes, errors) is not rendered again: the earlier markup is reused with the row's own
name and id. ``tests/entries/test_record_rows.py`` renders lists both ways and compares.
The forms, their validation and the version check are unchanged: only the drawing differs.

A stored list on a page just opened (an unbound formset) is drawn without building a form per
record: one form is built for the first record and re-pointed at each following one — its
instance, prefix, initial values and hidden primary key, everything a row's drawing reads
(``_stored_row_forms``). A posted list (bound, perhaps with errors) draws its own forms.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.forms import BaseFormSet, BoundField, Form, widgets
from django.forms.models import model_to_dict
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

from wuqiang.core.renderers import BUILDERS, WIDGETS, FastWidgetRenderer, escape_text


class _WidgetCache:
    """Widget markup of one list, keyed by what the markup depends on, with the row's own name."""

    def __init__(self) -> None:
        self._seen: dict[tuple, tuple[str, str, str]] = {}
        # id(widget) → (widget, its attributes as a key): a stored list's rows share their
        # widgets, whose attributes do not change while the list is drawn. Holding the widget
        # keeps its id from being reused.
        self._attrs: dict[int, tuple[Any, str]] = {}
        self._inputs: dict[tuple, tuple[str, str, str, str]] = {}

    def _attrs_key(self, widget: Any) -> str:
        known = self._attrs.get(id(widget))
        if known is None:
            known = self._attrs[id(widget)] = (widget, repr(sorted(widget.attrs.items())))
        return known[1]

    def render(self, bound: BoundField) -> str:
        field = bound.field
        if field.show_hidden_initial or field.localize or bound.errors:
            return str(bound)  # rare; an invalid input's aria-describedby lists several ids
        widget = field.widget
        value, initial = bound.value(), bound.initial
        shape = (type(bound.form), bound.name, self._attrs_key(widget), field.disabled, field.required,
                 bool(field.help_text))
        if _draws_value_attribute(bound):
            return self._input(bound, shape, widget.format_value(value))
        key = (*shape, type(value), repr(value), type(initial), repr(initial))
        name, auto_id = bound.html_name, bound.auto_id or ""
        seen = self._seen.get(key)
        if seen is None:
            html = str(bound)
            self._seen[key] = (html, name, auto_id)
            return html
        html, seen_name, seen_id = seen
        return _renamed(html, seen_name, name, seen_id, auto_id)

    def _input(self, bound: BoundField, shape: tuple, shown: str | None) -> str:
        """An ``<input>`` whose markup differs from row to row only by its name, its ids and its
        ``value`` attribute (dates, topics, counts, primary keys): drawn once per shape, then
        the row's value is put between the parts before and after it."""
        key = (*shape, shown is None)
        name, auto_id = bound.html_name, bound.auto_id or ""
        value = "" if shown is None else f' value="{escape_text(str(shown))}"'
        seen = self._inputs.get(key)
        if seen is None:
            html = str(bound)
            if value and html.count(value) != 1:
                return html  # the value also spelled elsewhere: no safe place to cut
            head, _value, tail = html.partition(value) if value else (html, "", "")
            self._inputs[key] = (head, tail, name, auto_id)
            return html
        head, tail, seen_name, seen_id = seen
        # Renamed part by part, so a value that looks like a name or an id is never touched.
        return (_renamed(head, seen_name, name, seen_id, auto_id) + value
                + _renamed(tail, seen_name, name, seen_id, auto_id))


def _renamed(html: str, old_name: str, name: str, old_id: str, auto_id: str) -> str:
    """Markup drawn for another row with this row's name and ids. Values are escaped, so `="`
    only opens an attribute: the name and the ids of the widget."""
    if old_name == name and old_id == auto_id:
        return html
    html = html.replace(f'="{old_name}"', f'="{name}"')
    if old_id:
        html = html.replace(f'="{old_id}', f'="{auto_id}')
    return html


def _draws_value_attribute(bound: BoundField) -> bool:
    """Whether the widget is a plain ``<input>`` drawn by ``FastWidgetRenderer``, whose value is
    one ``value="…"`` attribute (not a tick box, whose value is ``checked``, nor a file)."""
    widget = bound.field.widget
    return (isinstance(widget, widgets.Input) and not isinstance(widget, (widgets.CheckboxInput, widgets.FileInput))
            and isinstance(bound.form.renderer, FastWidgetRenderer)
            and BUILDERS.get(widget.template_name) is BUILDERS[f"{WIDGETS}input.html"])


def _errors(bound: BoundField) -> str:
    return "".join(
        f'<div class="invalid-feedback d-block" data-field-error="{conditional_escape(bound.html_name)}">'
        f"{conditional_escape(error)}</div>"
        for error in bound.errors
    )


def _row(form: Any, formset: BaseFormSet, cache: _WidgetCache) -> str:
    """``_record_row.html`` for one form."""
    visible, hidden = [], []
    for bound in form:
        (hidden if bound.is_hidden else visible).append(bound)
    html = [f'<tr class="{"table-danger" if form.errors else ""}">\n  ']
    for bound in visible:
        if bound.name != "DELETE":
            html.append(f"\n  <td>{cache.render(bound)}{_errors(bound)}</td>\n  ")
    html.append("\n  ")
    if formset.can_delete:
        delete = str(form["DELETE"]) if form.instance.pk else ""
        html.append(f'<td class="text-center">{delete}</td>')
    html.append('\n  <td class="d-none">')
    html.extend(cache.render(bound) for bound in hidden)
    html.append("</td>\n</tr>\n")
    non_field = form.non_field_errors()
    if non_field:
        html.append('<tr><td colspan="99">')
        html.extend(f'<div class="text-danger small">{conditional_escape(e)}</div>' for e in non_field)
        html.append("</td></tr>")
    html.append("\n")
    return "".join(html)


def _stored_row_forms(formset: Any) -> Iterator[Form]:
    """The forms of an unbound model formset, in order, for drawing one at a time: the stored
    records through one form re-pointed from record to record, then the extra blank rows.
    Re-pointing sets what ``ModelForm.__init__`` and ``add_fields`` set per record (the
    instance, the prefix, ``model_to_dict`` initial values, the primary key field's initial)
    and forgets the bound fields drawn for the previous record."""
    stored = formset.initial_form_count()
    if stored:
        form = formset._construct_form(0, **formset.get_form_kwargs(0))
        options, pk_name = form._meta, formset.model._meta.pk.name
        yield form
        records = formset.get_queryset()  # evaluated once by initial_form_count()
        for i in range(1, stored):
            instance = records[i]
            form.instance, form.prefix = instance, formset.add_prefix(i)
            form.initial = model_to_dict(instance, options.fields, options.exclude)
            form.fields[pk_name].initial = instance.pk
            form._bound_fields_cache = {}
            yield form
    for i in range(stored, formset.total_form_count()):
        yield formset._construct_form(i, **formset.get_form_kwargs(i))


def record_rows(formset: BaseFormSet) -> SafeString:
    """Every row of the formset, as ``{% for form in formset %}{% include "entries/_record_row.html" %}``."""
    cache = _WidgetCache()
    forms = formset if formset.is_bound else _stored_row_forms(formset)
    return mark_safe("".join(_row(form, formset, cache) for form in forms))  # every part escaped above
