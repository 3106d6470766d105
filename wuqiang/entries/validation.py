"""What a caller may ask the entry services to write, and the check it must pass first.

Every door — the sheet page, the Excel upload, the API — hands the services a ``SheetInput`` of
plain values (numbers, booleans, dates, strings as a browser posts them, lists). The services
validate it with the pillar's own forms (field ranges, choices, dates in the year, the model's
``clean``), the sheet's rules and the rules spanning two sheets (``rules.py``): one definition
of each rule whoever calls. Nothing is written unless the whole input is valid; otherwise
``InvalidSheet`` carries every message, keyed to the profile field or the record row it is about.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.forms import ModelForm
from django.utils.translation import gettext as _

from wuqiang.entries.models import Entry
from wuqiang.entries.registry import MAX_RECORDS_PER_LIST, PillarSheet, RecordSheet
from wuqiang.entries.rules import RowState, SheetState, rules_for

ROW_ID = "id"
NON_FIELD = "__all__"


@dataclass
class RecordRows:
    """What a caller sends for one record list.

    Each row is a {field: value} dict; a row with ``id`` changes that stored row (fields it
    leaves out keep their stored value), a row without adds one. ``delete`` names stored rows
    to remove; with ``replace`` the rows are the whole list and stored rows not named go."""

    rows: Sequence[Mapping[str, Any]] = ()
    delete: Sequence[int] = ()
    replace: bool = False


@dataclass
class SheetInput:
    """A change to one entry: profile fields (those left out keep their stored value), record
    lists by prefix (lists left out are untouched) and the clerk's note on flagged values."""

    profile: Mapping[str, Any] = field(default_factory=dict)
    records: Mapping[str, RecordRows] = field(default_factory=dict)
    flag_explanation: str | None = None


@dataclass
class SheetErrors:
    """Every message, keyed like the input: profile field, (list, row index, field), or general."""

    profile: dict[str, list[str]] = field(default_factory=dict)
    records: dict[str, dict[int, dict[str, list[str]]]] = field(default_factory=dict)
    general: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.profile or self.records or self.general)

    def add(self, message: str, *, field: str | None = None, prefix: str | None = None,
            index: int | None = None) -> None:
        if prefix is not None and index is not None:
            self.records.setdefault(prefix, {}).setdefault(index, {}).setdefault(field or NON_FIELD,
                                                                                  []).append(message)
        elif field is not None:
            self.profile.setdefault(field, []).append(message)
        else:
            self.general.append(message)

    def add_form(self, form: ModelForm, *, prefix: str | None = None, index: int | None = None) -> None:
        for name, messages in form.errors.items():
            for message in messages:
                self.add(message, field=None if name == NON_FIELD and prefix is None else name,
                         prefix=prefix, index=index)

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready form, for the API and the upload report."""
        return {
            "profile": self.profile,
            "records": {prefix: {str(i): e for i, e in rows.items()} for prefix, rows in self.records.items()},
            "general": self.general,
        }


class InvalidSheet(Exception):
    """The input breaks a rule; ``errors`` says which and where. Nothing was written."""

    def __init__(self, errors: SheetErrors) -> None:
        self.errors = errors
        super().__init__(_("Nothing was saved: correct the fields marked."))


@dataclass
class CleanRow:
    record_sheet: RecordSheet
    index: int
    form: ModelForm


@dataclass
class CleanSheet:
    """A validated input: bound, valid forms ready to save, and the stored rows to delete."""

    profile_form: ModelForm | None
    rows: list[CleanRow] = field(default_factory=list)
    deletions: list[models.Model] = field(default_factory=list)
    flag_explanation: str | None = None


def python_values(obj: models.Model) -> dict[str, Any]:
    """A stored row's editable values as Python objects (dates as dates, not strings)."""
    return {f.name: f.value_from_object(obj) for f in obj._meta.concrete_fields
            if f.editable and f.name not in ("id", "entry")}


def validate_sheet(sheet: PillarSheet, entry: Entry, data: SheetInput) -> CleanSheet:
    """Check ``data`` against every rule of the sheet; the valid forms, or InvalidSheet."""
    from wuqiang.core.validators import plain_text

    errors = SheetErrors()
    clean = CleanSheet(profile_form=None)
    stored_profile = sheet.profile_model.objects.filter(entry=entry).first() if entry.pk else None
    profile_values: dict[str, Any] = {}

    unknown = sorted(set(data.profile) - set(sheet.profile_fields))
    for name in unknown:
        errors.add(_("%(field)s is not a field of this sheet.") % {"field": name})
    if data.profile or stored_profile is None:
        instance = stored_profile or sheet.profile_model(entry=entry)
        merged = {**(python_values(stored_profile) if stored_profile else {}), **data.profile}
        form = sheet.profile_form(data=merged, instance=instance, entry=entry)
        if form.is_valid():
            clean.profile_form = form
            profile_values = {**merged, **form.cleaned_data}
        else:
            errors.add_form(form)
    else:
        profile_values = python_values(stored_profile)

    state = SheetState(entry=entry, pillar=sheet.pillar, profile=profile_values)
    for record_sheet in sheet.records:
        state.records[record_sheet.prefix] = _check_list(record_sheet, entry, data.records.get(record_sheet.prefix),
                                                          clean, errors)
    for prefix in sorted(set(data.records) - {r.prefix for r in sheet.records}):
        errors.add(_("%(list)s is not a record list of this sheet.") % {"list": prefix})

    if data.flag_explanation is not None:
        from django.core.exceptions import ValidationError

        try:
            clean.flag_explanation = plain_text(data.flag_explanation, field="flag_explanation")
        except ValidationError as error:
            for message in error.message_dict["flag_explanation"]:
                errors.add(message, field="flag_explanation")

    if not errors:
        for rule in rules_for(sheet):
            for problem in rule.check(state):
                errors.add(problem.message, field=problem.field, prefix=problem.prefix, index=problem.index)
    if errors:
        raise InvalidSheet(errors)
    return clean


def _check_list(record_sheet: RecordSheet, entry: Entry, sent: RecordRows | None, clean: CleanSheet,
                errors: SheetErrors) -> list[RowState]:
    """Validate one record list's rows; return the list as it will stand after the save."""
    prefix = record_sheet.prefix
    stored = {r.pk: r for r in record_sheet.model.objects.filter(entry=entry).order_by("pk")} if entry.pk else {}
    if sent is None:
        return [RowState(python_values(r)) for r in stored.values()]
    allowed = set(record_sheet.fields)
    named: set[int] = set()
    after: list[RowState] = []
    for index, raw in enumerate(sent.rows):
        row = dict(raw)
        pk = _row_id(row.pop(ROW_ID, None))
        instance = record_sheet.model(entry=entry)
        if pk is not None:
            if pk not in stored or pk in named:
                errors.add(_("This row is not (or no longer) in the list; reload and try again."),
                           prefix=prefix, index=index)
                continue
            named.add(pk)
            instance = stored[pk]
            row = {**python_values(instance), **row}
        for name in sorted(set(row) - allowed):
            errors.add(_("%(field)s is not a field of this list.") % {"field": name}, prefix=prefix, index=index)
        form = record_sheet.form(data=row, instance=instance, entry=entry)
        if form.is_valid():
            clean.rows.append(CleanRow(record_sheet, index, form))
            after.append(RowState({**row, **form.cleaned_data}, index))
        else:
            errors.add_form(form, prefix=prefix, index=index)
    removed = {_row_id(v) for v in sent.delete}
    for pk in sorted(removed - set(stored)):
        errors.add(_("Row %(id)s to delete is not in the list.") % {"id": pk}, field=prefix)
    if sent.replace:
        removed |= set(stored) - named
    clean.deletions += [stored[pk] for pk in sorted(removed & set(stored))]
    after += [RowState(python_values(r)) for pk, r in stored.items() if pk not in named and pk not in removed]
    if len(after) > MAX_RECORDS_PER_LIST:
        errors.add(_("%(list)s can hold at most %(limit)d rows (this would make %(count)d).") % {
            "list": record_sheet.title, "limit": MAX_RECORDS_PER_LIST, "count": len(after)})
    return after


def _row_id(value: Any) -> int | None:
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1  # never a stored row: reported as "not in the list"
