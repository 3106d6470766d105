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

After its first row, a stored list is drawn without bound fields at all (``_Stamp``): a
re-pointed form's rows differ only by the row's index in names and ids and by the values, so
each widget's markup is kept cut at the index and, for a plain ``<input>``, around its value;
a row is the values' markup joined with its index. A value not seen before in the list is drawn
once through its bound field, as before.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from html import escape
from typing import Any

from django.forms import BaseFormSet, BoundField, Form, widgets
from django.forms.models import model_to_dict
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

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


# Cuts a widget's markup where the row index stands; never in escaped markup (checked anyway).
_INDEX = "\x00"


def _index_chunks(html: str, bound: BoundField, prefix: str) -> tuple[str, ...] | None:
    """``html`` of ``bound``'s row cut where the row's index stands in its name and ids (the
    places ``_renamed`` changes), so that ``str(i).join(chunks)`` is the markup for row ``i``;
    None where the markup cannot be cut safely."""
    name, auto_id = bound.html_name, bound.auto_id or ""
    index = bound.form.prefix[len(prefix) + 1:]
    stamped_name = f"{prefix}-{_INDEX}-{bound.name}"
    if _INDEX in html or stamped_name.replace(_INDEX, index) != name:
        return None
    stamped = html.replace(f'="{name}"', f'="{stamped_name}"')
    if auto_id:
        stamped_id = auto_id.replace(name, stamped_name)
        if stamped_id.replace(_INDEX, index) != auto_id or _INDEX not in stamped_id:
            return None
        stamped = stamped.replace(f'="{auto_id}', f'="{stamped_id}')
    return tuple(stamped.split(_INDEX))


class _Stamp:
    """Draws the stored rows of an unbound list after the first from the values alone.

    The list's one form is re-pointed at each record (``_stored_row_forms``); everything a row's
    markup depends on but its index and its values — the fields, their widgets and attributes,
    disabled, required — stays the same. Per field the markup is kept cut at the index
    (``_index_chunks``): for a plain ``<input>`` once per shape, cut again around ``value="…"``;
    for any other widget once per value; for a field whose initial value is not the record's
    (the parent's key, the delete box) once. A row then reads each field's initial value as its
    bound field would (``get_initial_for_field``, ``prepare_value``, ``format_value``) and joins
    the pieces: no bound field, no widget context, no attribute rendering."""

    def __init__(self, form: Form, formset: BaseFormSet) -> None:
        self.form, self.prefix = form, formset.prefix
        # What re-pointing changes: the values model_to_dict gives and the primary key's initial.
        per_record = set(form.initial) | {formset.model._meta.pk.name}
        visible: list[str] = []
        hidden: list[str] = []
        self.inputs: set[str] = set()
        for bound in form:
            (hidden if bound.is_hidden else visible).append(bound.name)
            if _draws_value_attribute(bound):
                self.inputs.add(bound.name)
        self.delete = "DELETE" if formset.can_delete else None
        if self.delete:
            visible.remove("DELETE")
        self.visible = [(name, name not in per_record) for name in visible]
        self.hidden = [(name, name not in per_record) for name in hidden]
        self._constant: dict[str, tuple[str, ...] | None] = {}
        self._values: dict[tuple, tuple[str, ...]] = {}
        self._inputs: dict[tuple, tuple[tuple[str, ...], tuple[str, ...]]] = {}

    @staticmethod
    def applies(form: Form) -> bool:
        """The rare fields ``_WidgetCache`` leaves to Django (hidden initial values, localised
        inputs) are left to it here too: the whole list is then drawn the former way."""
        return not any(field.show_hidden_initial or field.localize for field in form.fields.values())

    def row(self, index: int) -> str:
        """``_record_row.html`` for the stored record the form points at now (row ``index``):
        unbound, so without errors."""
        idx = str(index)
        widget = self._widget
        html = ['<tr class="">\n  ']
        html.extend(f"\n  <td>{widget(name, constant, idx)}</td>\n  " for name, constant in self.visible)
        html.append("\n  ")
        if self.delete:
            html.append(f'<td class="text-center">{widget(self.delete, True, idx)}</td>')
        html.append('\n  <td class="d-none">')
        html.extend(widget(name, constant, idx) for name, constant in self.hidden)
        html.append("</td>\n</tr>\n\n")
        return "".join(html)

    def _widget(self, name: str, constant: bool, idx: str) -> str:
        if constant:
            chunks = self._constant.get(name)
            if chunks is not None:
                return idx.join(chunks)
            html = str(self.form[name])
            self._constant[name] = _index_chunks(html, self.form[name], self.prefix)
            return html
        form = self.form
        field = form.fields[name]
        initial = form.get_initial_for_field(field, name)
        value = field.prepare_value(initial)
        if name in self.inputs:
            shown = field.widget.format_value(value)
            if shown is None:
                attribute = ""
            else:
                attribute = f' value="{escape(shown) if type(shown) is str else escape_text(str(shown))}"'
            parts = self._inputs.get((name, shown is None))
            if parts is None:
                return self._learn_input(name, shown is None, attribute)
            head, tail = parts
            return idx.join(head) + attribute + idx.join(tail)
        key = (name, type(value), repr(value), type(initial), repr(initial))
        chunks = self._values.get(key)
        if chunks is None:
            html = str(form[name])
            chunks = _index_chunks(html, form[name], self.prefix)
            if chunks is not None:
                self._values[key] = chunks
            return html
        return idx.join(chunks)

    def _learn_input(self, name: str, empty: bool, attribute: str) -> str:
        html = str(self.form[name])
        head, cut, tail = html.partition(attribute) if attribute else (html, "", "")
        if attribute and (cut != attribute or attribute in tail):
            return html  # the value also spelled elsewhere: no safe place to cut
        head_chunks = _index_chunks(head, self.form[name], self.prefix)
        tail_chunks = _index_chunks(tail, self.form[name], self.prefix)
        if head_chunks is not None and tail_chunks is not None:
            self._inputs[(name, empty)] = (head_chunks, tail_chunks)
        return html


def _stored_rows(formset: Any, cache: _WidgetCache) -> Iterator[str]:
    """The rows of an unbound model formset: the first stored record's through its form, the
    following ones stamped (``_Stamp``) from the same form re-pointed, the blank rows last —
    the blank row of the ``<template>`` (``blank_row``) with the row's index for its prefix, as
    a blank extra form is the empty form under another prefix (not on a read-only sheet, whose
    forms are disabled as they are built and whose lists have no blank rows)."""
    stored, total, stamp = formset.initial_form_count(), formset.total_form_count(), None
    renamed_blanks = not getattr(formset, "read_only", False)
    for i, form in enumerate(_stored_row_forms(formset, stop=stored if renamed_blanks else total)):
        if i == 0 and stored and _Stamp.applies(form):
            stamp = _Stamp(form, formset)
        elif stamp is not None and i < stored:
            yield stamp.row(i)
            continue
        yield _row(form, formset, cache)
    if renamed_blanks and total > stored:
        blank, old = blank_row(formset), formset.add_prefix("__prefix__")
        old_id = formset.auto_id % old if formset.auto_id and "%s" in formset.auto_id else None
        for i in range(stored, total):
            new = formset.add_prefix(i)
            html = blank.replace(f'="{old}-', f'="{new}-')
            yield html.replace(f'="{old_id}-', f'="{formset.auto_id % new}-') if old_id else html


def _stored_row_forms(formset: Any, stop: int | None = None) -> Iterator[Form]:
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
    for i in range(stored, formset.total_form_count() if stop is None else stop):
        yield formset._construct_form(i, **formset.get_form_kwargs(i))


def record_rows(formset: BaseFormSet) -> SafeString:
    """Every row of the formset, as ``{% for form in formset %}{% include "entries/_record_row.html" %}``."""
    cache = _WidgetCache()
    if formset.is_bound:
        rows = (_row(form, formset, cache) for form in formset)
    else:
        rows = _stored_rows(formset, cache)
    return mark_safe("".join(rows))  # every part escaped above


def blank_row(formset: BaseFormSet) -> SafeString:
    """The blank row the page copies to add a record (``<template>``), as
    ``{% with form=formset.empty_form %}{% include "entries/_record_row.html" %}{% endwith %}``."""
    drawn = formset.__dict__.get("_blank_row")
    if drawn is None:  # drawn once: the page shows it, and the blank extra rows are made from it
        drawn = formset.__dict__["_blank_row"] = mark_safe(_row(formset.empty_form, formset, _WidgetCache()))
    return drawn  # every part escaped in _row


def profile_field(bound: BoundField, required_fields: Collection[str]) -> str:
    """``entries/_field.html`` for one field of the profile form (label, input, errors, help)."""
    widget = str(bound)
    if bound.is_hidden:
        return f"{widget}\n"
    label, for_id = conditional_escape(bound.label), conditional_escape(bound.id_for_label)
    if bound.widget_type == "checkbox":
        control = (f'\n  <div class="form-check mt-4">{widget}<label class="form-check-label" for="{for_id}">'
                   f"{label}</label></div>\n  ")
    else:
        star = (f' <span class="text-danger" title="{conditional_escape(gettext("required"))}">*</span>'
                if bound.name in required_fields else "")
        control = f'\n  <label class="form-label small mb-1" for="{for_id}">{label}{star}</label>\n  {widget}\n  '
    help_text = f'<div class="form-text">{conditional_escape(bound.help_text)}</div>' if bound.help_text else ""
    return (f'\n<div class="col-md-4 col-sm-6 mb-2">\n  {control}\n  {_errors(bound)}\n  {help_text}\n</div>\n'
            "\n")
