"""Base forms every pillar's profile and record forms build on, and the sheet page's forms.

The pillar forms are the field rules the entry services validate every input with (see
``validation.py``); the page binds the same classes, with prefixes, only to draw its inputs and
show the services' messages next to them.
"""

from __future__ import annotations

import datetime
import functools
from functools import partial
from typing import Any

from django import forms
from django.forms.models import BaseInlineFormSet, inlineformset_factory
from django.forms.utils import ErrorDict
from django.utils.functional import cached_property
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from wuqiang.entries.models import Entry
from wuqiang.entries.rows import blank_row, profile_field, record_rows
from wuqiang.entries.validation import NON_FIELD, ROW_ID, RecordRows, SheetErrors, SheetInput

_UNHASHABLE = (list, dict, set)


class StrictNullBooleanSelect(forms.NullBooleanSelect):
    """Django's 是/否/未填 select turns any unknown value into "unanswered"; this one hands it
    to the field, which refuses it."""

    KNOWN = {True: True, "True": True, "true": True, "2": True,
             False: False, "False": False, "false": False, "3": False,
             None: None, "": None, "unknown": None}

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        value = data.get(name)
        return value if isinstance(value, _UNHASHABLE) else self.KNOWN.get(value, value)


class StrictCheckboxInput(forms.CheckboxInput):
    """A checkbox whose unknown values reach the field (Django's treats any value as ticked)."""

    KNOWN = {True: True, "on": True, "true": True, "True": True, "1": True,
             False: False, "false": False, "False": False, "0": False, "": False, None: False}

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        if name not in data:
            return False
        value = data.get(name)
        return value if isinstance(value, _UNHASHABLE) else self.KNOWN.get(value, value)


class _StrictChanged:
    def has_changed(self, initial: Any, data: Any) -> bool:
        try:
            return super().has_changed(initial, data)
        except forms.ValidationError:
            return True  # an unknown value is a change (the field then refuses it)


class YesNoField(_StrictChanged, forms.NullBooleanField):
    """A yes/no question that may still be unanswered in a draft (是 / 否 / 未填)."""

    widget = StrictNullBooleanSelect

    def to_python(self, value: Any) -> bool | None:
        if value is None or isinstance(value, bool):
            return value
        raise forms.ValidationError(_("Choose yes, no or leave it unanswered."), code="invalid_choice")


class StrictBooleanField(_StrictChanged, forms.BooleanField):
    """A yes/no tick box that refuses anything but yes or no."""

    widget = StrictCheckboxInput

    def to_python(self, value: Any) -> bool:
        if isinstance(value, bool):
            return value
        raise forms.ValidationError(_("Choose yes or no."), code="invalid_choice")


class EntryBoundForm(forms.ModelForm):
    """A form that knows the entry it edits, so rules can depend on the year or the village."""

    def __init__(self, *args: Any, entry: Entry, **kwargs: Any) -> None:
        self.entry = entry
        super().__init__(*args, **kwargs)
        # The model's own rules (clean) may need the entry's year before it is saved.
        if getattr(self.instance, "entry_id", 0) is None:
            self.instance.entry = entry
        for bound in self.fields.values():
            # Bootstrap styling in one place instead of per-widget attrs in every pillar.
            widget = bound.widget
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, (forms.Select, forms.NullBooleanSelect)):
                widget.attrs.setdefault("class", "form-select form-select-sm")
            elif isinstance(widget, forms.CheckboxSelectMultiple):
                pass
            else:
                widget.attrs.setdefault("class", "form-control form-control-sm")

    def mark_invalid(self) -> None:
        """Draw the inputs with errors red next to their message (Bootstrap)."""
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()

    def full_clean(self) -> None:
        super().full_clean()
        self.mark_invalid()


class ProfileForm(EntryBoundForm):
    """Base of a pillar's profile form. Subclasses set Meta.model and Meta.fields."""


class RecordForm(EntryBoundForm):
    """Base of a record-list row form; checks the model's ``dates_in_year`` fall in the year."""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        year = self.entry.year_id
        for name in getattr(self._meta.model, "dates_in_year", ()):
            value = cleaned.get(name)
            if isinstance(value, datetime.date) and value.year != year:
                self.add_error(name, _("The date must fall within %(year)s.") % {"year": year})
        return cleaned


class _TemplateView:
    """A formset as the sheet template reads it. The template engine tries ``formset[name]``
    before ``formset.name``, and a formset's ``[]`` builds every form of the list — one per
    record — just to fail the lookup; this view has attributes only."""

    def __init__(self, formset: BaseInlineFormSet) -> None:
        self._formset = formset

    def __getattr__(self, name: str) -> Any:
        return getattr(self._formset, name)


class RecordFormSet(BaseInlineFormSet):
    """A sheet's record list; on a read-only sheet every form it builds has its inputs disabled
    (set per form as it is built, so a page drawing the rows need not build them all first)."""

    read_only = False

    @cached_property
    def empty_form(self) -> forms.Form:
        """The blank row (the table's header and the "add a row" template): built once."""
        return super().empty_form

    def _construct_form(self, i: int, **kwargs: Any) -> forms.Form:
        form = super()._construct_form(i, **kwargs)
        if self.read_only:
            for field in form.fields.values():
                field.disabled = True
        return form


@functools.cache
def _record_formset(model: type, form: type[forms.ModelForm], editable: bool) -> type[RecordFormSet]:
    """A record list's formset class, built once per process: building it makes a form class
    (its fields from the model's, through the form's callback) — a few milliseconds a page."""
    return inlineformset_factory(Entry, model, form=form, formset=RecordFormSet,
                                 extra=1 if editable else 0, can_delete=editable)


class EntryForms:
    """The sheet page's profile form and record formsets, bound to a POST or not.

    A POST is read into a ``SheetInput`` for the services (``sheet_input``); when they refuse
    it, their messages are put next to the inputs (``show_errors``) without validating twice."""

    def __init__(self, sheet, entry: Entry, data: Any = None, *, editable: bool) -> None:
        self.sheet, self.entry, self.editable = sheet, entry, editable
        profile = None
        if entry.pk is not None:
            profile = sheet.profile_model.objects.filter(entry=entry).first()
        self.profile_form = sheet.profile_form(
            data, instance=profile or sheet.profile_model(entry=entry), entry=entry, prefix="profile"
        )
        self.formsets = []
        for record_sheet in sheet.records:
            formset_class = _record_formset(record_sheet.model, record_sheet.form, editable)
            formset = formset_class(
                data, instance=entry, prefix=record_sheet.prefix, form_kwargs={"entry": entry},
                queryset=record_sheet.model.objects.order_by("pk"),
            )
            formset.record_sheet = record_sheet
            formset.read_only = not editable
            # From the stored records the page loads anyway (one query fewer than counting them).
            formset.progress = (record_sheet.progress(entry, formset.get_queryset())
                                if record_sheet.progress else None)
            formset.rows_html = partial(record_rows, formset)  # the rows, drawn in Python (rows.py)
            formset.blank_row_html = partial(blank_row, formset)
            self.formsets.append(formset)
        # (prefix, index of the row in the SheetInput) → the form that drew it
        self._row_forms: dict[tuple[str, int], forms.Form] = {}
        if not editable:  # the record forms are disabled as the formsets build them
            for bound in self.profile_form.fields.values():
                bound.disabled = True

    @property
    def record_lists(self) -> list[_TemplateView]:
        """The formsets for the page's template (see ``_TemplateView``)."""
        return [_TemplateView(formset) for formset in self.formsets]

    def all_forms(self):
        yield self.profile_form
        for formset in self.formsets:
            yield from formset.forms

    def sheet_input(self, flag_explanation: str | None = None) -> SheetInput:
        """The posted values as the services take them: raw, unvalidated; blank new rows left out."""
        profile = {name: self.profile_form[name].data for name in self.profile_form.fields}
        records = {}
        for formset in self.formsets:
            prefix, fields = formset.record_sheet.prefix, formset.record_sheet.fields
            rows, delete = [], []
            if not formset.management_form.is_valid():
                continue
            for form in formset.forms:
                pk = form[ROW_ID].data if ROW_ID in form.fields else None
                values = {name: form[name].data for name in fields}
                if form.fields.get("DELETE") and form["DELETE"].data:
                    if pk not in (None, ""):
                        delete.append(pk)
                    continue
                if pk in (None, ""):
                    if not form.has_changed():
                        continue  # the blank row the page offers for adding, left as offered
                    row = values
                else:
                    row = {ROW_ID: pk, **values}
                self._row_forms[(prefix, len(rows))] = form
                rows.append(row)
            records[prefix] = RecordRows(rows=rows, delete=delete)
        return SheetInput(profile=profile, records=records, flag_explanation=flag_explanation)

    def show_errors(self, errors: SheetErrors) -> list[str]:
        """Put the services' messages next to the inputs; returns those that belong to no input."""
        for form in self.all_forms():
            form._errors, form.cleaned_data = ErrorDict(), {}
        for formset in self.formsets:
            formset._errors = [f._errors for f in formset.forms]
            formset._non_form_errors = formset.error_class(error_class="nonform", renderer=formset.renderer)
        leftover = list(errors.general)
        for name, messages in errors.profile.items():
            for message in messages:
                self._add(self.profile_form, name, message, leftover)
        for prefix, rows in errors.records.items():
            for index, fields in rows.items():
                form = self._row_forms.get((prefix, index))
                for name, messages in fields.items():
                    for message in messages:
                        if form is None:
                            leftover.append(message)
                        else:
                            self._add(form, name, message, leftover)
        for form in self.all_forms():
            form.mark_invalid()
        return leftover

    @staticmethod
    def _add(form: forms.Form, name: str, message: str, leftover: list[str]) -> None:
        if name in form.fields:
            form.add_error(name, message)
        elif name == NON_FIELD:
            form.add_error(None, message)
        else:
            leftover.append(message)

    def watch(self, bounds: dict[str, dict[str, str]]) -> None:
        """Let the page warn while a watched value is typed (``quality.watch_bounds``): the band
        and the message go on the input; the server still flags on save."""
        for name, band in bounds.items():
            field = self.profile_form.fields.get(name)
            if field is None:
                continue
            attrs = {f"data-watch-{key.replace('_', '-')}": value for key, value in band.items()}
            if "previous" in band:
                attrs["data-watch-previous-message"] = _(
                    "Far from last year's %(previous)s: you will be asked to explain it before submitting."
                ) % {"previous": band["previous"]}
            if "median" in band:
                attrs["data-watch-median-message"] = _(
                    "Far from the township's median of %(median)s: you will be asked to explain it before "
                    "submitting.") % {"median": band["median"]}
            field.widget.attrs.update(attrs, **{"data-watch": name})

    def fieldset_rows(self) -> list[tuple[Any, SafeString]]:
        """``fieldsets`` with each group's fields drawn as ``entries/_field.html`` draws them."""
        required = self.sheet.required_fields
        return [(legend, mark_safe("".join(profile_field(bound, required) for bound in fields)))  # escaped there
                for legend, fields in self.fieldsets()]

    def fieldsets(self):
        """The profile form's fields grouped as the sheet declares, leftovers last."""
        form = self.profile_form
        placed: set[str] = set()
        groups = []
        for legend, names in self.sheet.fieldsets:
            fields = [form[n] for n in names if n in form.fields]
            placed.update(names)
            groups.append((legend, fields))
        rest = [form[n] for n in form.fields if n not in placed]
        if rest:
            groups.append((_("Other") if groups else "", rest))
        return groups
