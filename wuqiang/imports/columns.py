"""The columns of an import template, read from a pillar sheet's forms and models — no code per
pillar. Each column knows how to write a stored value into a cell and how to read a cell back
into the plain value the entry services take (what a browser would post): the rules themselves
stay in the forms, which refuse what they do not accept, with their own messages."""

from __future__ import annotations

import datetime
import decimal
import functools
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import translation

from wuqiang.entries.registry import PillarSheet, RecordSheet

LANGUAGES = ("zh-hans", "en")
# Separators a clerk may use between the items of a multiple-choice cell.
ITEM_SEPARATORS = ("、", ",", "，", ";", "；", "\n")


class Kind:
    TEXT = "text"
    INT = "int"
    DECIMAL = "decimal"
    DATE = "date"
    BOOL = "bool"
    CHOICE = "choice"
    MULTI = "multi"


@dataclass
class ColumnSpec:
    """One data column: the form field it fills and how its cells are written and read."""

    name: str
    kind: str
    label: str
    model: type[models.Model]
    help_text: str = ""
    low: Any = None
    high: Any = None
    max_length: int | None = None
    in_year: bool = False
    # value → label in the language the template is written in
    choices: list[tuple[str, str]] = field(default_factory=list)
    # any accepted spelling (value, label in each language, lower-cased) → value
    lookup: dict[str, str] = field(default_factory=dict)

    # --- writing -------------------------------------------------------------------------------
    def cell_value(self, value: Any) -> Any:
        """A stored (Python) value as the template's cell shows it."""
        if value is None or value == "" or value == []:
            return None
        if self.kind == Kind.BOOL:
            return self._bool_label(bool(value))
        if self.kind == Kind.CHOICE:
            return dict(self.choices).get(value, value)
        if self.kind == Kind.MULTI:
            labels = dict(self.choices)
            return "、".join(str(labels.get(v, v)) for v in value)
        if self.kind == Kind.DECIMAL:
            return float(value)
        if self.kind == Kind.DATE and isinstance(value, str):
            return datetime.date.fromisoformat(value)
        return value

    def _bool_label(self, value: bool) -> str:
        return dict(self.choices)["true" if value else "false"]

    # --- reading -------------------------------------------------------------------------------
    def input_value(self, cell: Any) -> Any:
        """A cell's value as the services take it: strings as a form posts them, lists for
        multiple choices, None for an empty cell. Unknown spellings pass through unchanged, so
        the form refuses them with its own message."""
        if cell is None or (isinstance(cell, str) and not cell.strip()):
            return [] if self.kind == Kind.MULTI else None
        if isinstance(cell, datetime.datetime):
            cell = cell.date() if self.kind != Kind.TEXT or cell.time() == datetime.time() else cell
        if self.kind == Kind.MULTI:
            text = str(cell)
            for separator in ITEM_SEPARATORS[1:]:
                text = text.replace(separator, ITEM_SEPARATORS[0])
            return [self.lookup.get(item.strip().lower(), item.strip())
                    for item in text.split(ITEM_SEPARATORS[0]) if item.strip()]
        if self.kind in (Kind.BOOL, Kind.CHOICE):
            if isinstance(cell, bool):
                return "true" if cell else "false"
            text = _plain(cell).strip()
            return self.lookup.get(text.lower(), text)
        if isinstance(cell, datetime.date):
            return cell.isoformat()
        if self.kind == Kind.DATE and isinstance(cell, (int, float)) and not isinstance(cell, bool):
            # A date Excel kept as a bare serial number (the cell lost its date format).
            from openpyxl.utils.datetime import from_excel

            try:
                return from_excel(cell).date().isoformat()
            except (ValueError, OverflowError, TypeError):
                return _plain(cell)
        if self.kind == Kind.DATE and isinstance(cell, str):
            return cell.strip().replace("/", "-").replace(".", "-")
        return _plain(cell).strip() if self.kind != Kind.TEXT else _plain(cell)

    def stored_input(self, value: Any) -> Any:
        """What reading back the cell written for a stored value gives (to tell untouched rows)."""
        return self.input_value(self.cell_value(value))

    def rule_text(self) -> str:
        """The column's note: unit, range, choices — in the active language."""
        from django.utils.translation import gettext as _

        parts = []
        if self.help_text:
            parts.append(_("Unit: %(unit)s") % {"unit": self.help_text})
        if self.low is not None and self.high is not None:
            parts.append(_("From %(low)s to %(high)s") % {"low": self.low, "high": self.high})
        elif self.low is not None:
            parts.append(_("At least %(low)s") % {"low": self.low})
        if self.kind == Kind.DATE:
            parts.append(_("A date (yyyy-mm-dd) within the year") if self.in_year else _("A date (yyyy-mm-dd)"))
        if self.kind in (Kind.BOOL, Kind.CHOICE):
            parts.append(_("Choose from the list"))
        if self.kind == Kind.MULTI:
            parts.append(_("One or more of: %(items)s, separated by 、") % {
                "items": "、".join(label for _value, label in self.choices)})
        if self.max_length and self.kind == Kind.TEXT:
            parts.append(_("At most %(count)s characters") % {"count": self.max_length})
        return "\n".join(parts)


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def _plain(value: Any) -> str:
    if isinstance(value, float):
        # Formulas leave binary noise (0.1 + 0.2 = 0.30000000000000004): nine decimals are plenty.
        value = round(value, 9)
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, decimal.Decimal):
        return format(value, "f")
    return str(value)


def _kind(form_field: forms.Field) -> str:
    if isinstance(form_field, forms.MultipleChoiceField):
        return Kind.MULTI
    if isinstance(form_field, (forms.NullBooleanField, forms.BooleanField)):
        return Kind.BOOL
    if isinstance(form_field, forms.ChoiceField):
        return Kind.CHOICE
    # DecimalField and FloatField are IntegerFields in Django's forms: test them first.
    if isinstance(form_field, (forms.DecimalField, forms.FloatField)):
        return Kind.DECIMAL
    if isinstance(form_field, forms.IntegerField):
        return Kind.INT
    if isinstance(form_field, forms.DateField):
        return Kind.DATE
    return Kind.TEXT


def _labels(choices: Any) -> list[tuple[str, str]]:
    return [(str(value), str(label)) for value, label in choices if value not in ("", None)]


def column(form_class: type[forms.ModelForm], name: str) -> ColumnSpec:
    form_field = form_class.base_fields[name]
    model = form_class._meta.model
    kind = _kind(form_field)
    try:
        model_field = model._meta.get_field(name)
    except Exception:  # a form-only field
        model_field = None
    spec = ColumnSpec(
        name=name, kind=kind, model=model,
        label=_capitalised(str(form_field.label or name)),
        help_text=str(getattr(model_field, "help_text", "") or ""),
        in_year=name in getattr(model, "dates_in_year", ()),
    )
    for validator in form_field.validators:
        if isinstance(validator, MinValueValidator):
            spec.low = validator.limit_value
        elif isinstance(validator, MaxValueValidator):
            spec.high = validator.limit_value
        elif isinstance(validator, MaxLengthValidator):
            spec.max_length = validator.limit_value
    spec.max_length = spec.max_length or getattr(form_field, "max_length", None)
    if kind == Kind.BOOL:
        from django.utils.translation import gettext as _

        spec.choices = [("true", _("Yes")), ("false", _("No"))]
        for language in LANGUAGES:
            with translation.override(language):
                spec.lookup.update({_("Yes").lower(): "true", _("No").lower(): "false"})
        spec.lookup.update({"true": "true", "false": "false", "是": "true", "否": "false", "yes": "true",
                            "no": "false", "1": "true", "0": "false"})
    elif kind in (Kind.CHOICE, Kind.MULTI):
        spec.choices = _labels(form_field.choices)
        for language in LANGUAGES:
            with translation.override(language):
                spec.lookup.update({label.lower(): value for value, label in _labels(form_field.choices)})
        spec.lookup.update({value.lower(): value for value, _label in spec.choices})
    return spec


@functools.lru_cache(maxsize=512)
def _cached(form_class: type[forms.ModelForm], name: str, language: str | None) -> ColumnSpec:
    return column(form_class, name)


def profile_columns(sheet: PillarSheet) -> list[ColumnSpec]:
    """The profile's columns, labelled in the active language (built once per language)."""
    language = translation.get_language()
    return [_cached(sheet.profile_form, name, language) for name in sheet.profile_fields]


def record_columns(record_sheet: RecordSheet) -> list[ColumnSpec]:
    language = translation.get_language()
    return [_cached(record_sheet.form, name, language) for name in record_sheet.fields]
