"""Snapshots of an entry's values and the differences between two of them.

History rows, "changed since the last approval" and the optimistic-lock message all read the
same JSON shape, so the comparison rule lives here once:
``{"profile": {field: value}, "records": {"app.model": {pk: {field: value}}}}``.
"""

from __future__ import annotations

import datetime
import decimal
import functools
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist
from django.db import models
from django.utils.formats import localize
from django.utils.translation import gettext as _

from wuqiang.entries.registry import PillarSheet

Snapshot = dict[str, Any]
SKIPPED_FIELDS = {"id", "entry"}


def _json_value(value: Any) -> Any:
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    return value


@functools.cache
def _fields(model: type[models.Model]) -> list[models.Field]:
    return [f for f in model._meta.concrete_fields if f.name not in SKIPPED_FIELDS and f.editable]


def row_values(obj: models.Model) -> dict[str, Any]:
    return {f.name: _json_value(f.value_from_object(obj)) for f in _fields(type(obj))}


def stored_values(model: type[models.Model], values: dict[str, Any]) -> dict[str, Any]:
    """A row given as {field: value} in snapshot form, as ``row_values`` gives it once saved (for
    callers that write rows in bulk and know their values, e.g. the demo seeder)."""
    return {name: _json_value(values[name]) if converted else values[name] for name, converted in _names(model)}


@functools.cache
def _names(model: type[models.Model]) -> list[tuple[str, bool]]:
    """The snapshot's fields, and whether their values need converting to JSON (dates, decimals)."""
    return [(f.name, isinstance(f, (models.DateField, models.DecimalField))) for f in _fields(model)]


def take_snapshot(entry, sheet: PillarSheet) -> Snapshot:
    """The entry's current values as stored (reads the profile and each record list once)."""
    snapshot: Snapshot = {"profile": {}, "records": {}}
    if entry.pk is None:
        return snapshot
    try:
        profile = sheet.profile_model.objects.get(entry=entry)
    except ObjectDoesNotExist:
        profile = None
    if profile is not None:
        snapshot["profile"] = row_values(profile)
    for record_sheet in sheet.records:
        rows = record_sheet.model.objects.filter(entry=entry).order_by("pk")
        snapshot["records"][record_sheet.object_type] = {str(r.pk): row_values(r) for r in rows}
    return snapshot


@dataclass
class RowChange:
    """One row added, changed or removed between two snapshots."""

    action: str  # "created" | "updated" | "deleted"
    object_type: str
    object_id: str
    changes: dict[str, list[Any]] = field(default_factory=dict)

    @property
    def model(self) -> type[models.Model]:
        return apps.get_model(self.object_type)


def diff_snapshots(before: Snapshot | None, after: Snapshot, profile_type: str) -> list[RowChange]:
    before = before or {"profile": {}, "records": {}}
    result: list[RowChange] = []
    profile_changes = _changed(before.get("profile", {}), after.get("profile", {}))
    if profile_changes:
        action = "updated" if before.get("profile") else "created"
        result.append(RowChange(action, profile_type, "", profile_changes))
    old_records, new_records = before.get("records", {}), after.get("records", {})
    for object_type in [*new_records, *(t for t in old_records if t not in new_records)]:
        old_rows = old_records.get(object_type, {})
        new_rows = new_records.get(object_type, {})
        for pk, values in new_rows.items():
            if pk not in old_rows:
                result.append(RowChange("created", object_type, pk, _changed({}, values)))
            else:
                changes = _changed(old_rows[pk], values)
                if changes:
                    result.append(RowChange("updated", object_type, pk, changes))
        for pk, values in old_rows.items():
            if pk not in new_rows:
                result.append(RowChange("deleted", object_type, pk, _changed(values, {})))
    return result


def _changed(old: dict[str, Any], new: dict[str, Any]) -> dict[str, list[Any]]:
    names = [*new, *(n for n in old if n not in new)]
    return {
        name: [old.get(name), new.get(name)]
        for name in names
        if old.get(name) != new.get(name) and not (old.get(name) in (None, "", []) and new.get(name) in (None, "", []))
    }


def display_value(model: type[models.Model], field_name: str, value: Any) -> str:
    """A stored snapshot value as a user reads it: choice labels, 是/否, localised numbers."""
    if value is None or value == "" or value == []:
        return "—"
    try:
        model_field = model._meta.get_field(field_name)
    except FieldDoesNotExist:
        return str(value)
    if isinstance(model_field, models.BooleanField):
        return _("Yes") if value else _("No")
    choices = dict(model_field.flatchoices) if model_field.choices else None
    if isinstance(value, list):
        item_choices = getattr(model, "item_choices", {}).get(field_name, {})
        return "、".join(str(item_choices.get(v, v)) for v in value)
    if choices is not None:
        return str(choices.get(value, value))
    if isinstance(model_field, models.DecimalField):
        return localize(decimal.Decimal(value))
    return str(value)


def field_label(model: type[models.Model], field_name: str) -> str:
    try:
        return str(model._meta.get_field(field_name).verbose_name)
    except FieldDoesNotExist:
        return field_name


@dataclass
class ChangeLine:
    label: str
    old: str
    new: str


def describe(object_type: str, changes: dict[str, list[Any]]) -> list[ChangeLine]:
    """Readable lines for one row's {field: [old, new]} changes."""
    try:
        model = apps.get_model(object_type)
    except (LookupError, ValueError):
        return [ChangeLine(name, str(old), str(new)) for name, (old, new) in changes.items()]
    return [
        ChangeLine(field_label(model, name), display_value(model, name, old), display_value(model, name, new))
        for name, (old, new) in changes.items()
    ]


def describe_object(object_type: str, values: dict[str, Any] | None = None) -> str:
    """A short name for a changed row: the model's verbose name plus its first text value."""
    try:
        model = apps.get_model(object_type)
    except (LookupError, ValueError):
        return object_type
    name = str(model._meta.verbose_name)
    for key in ("name", "title", "topic", "date"):
        if values and values.get(key):
            return f"{name} · {values[key]}"
    return name
