"""Excel import: the template a clerk downloads, and an upload checked whole, previewed, and
applied whole through the entry services — or refused whole with every error on its cell.

An upload is one more adapter of the one write door: it parses cells into a ``SheetInput`` per
village and hands it to ``validate_sheet`` (checking) and ``entry_save`` (applying), which keep
every rule the forms keep — field rules, the sheet's rules, rules across sheets, the entry's
state and year (``permissions.edit_refusal``), its version (optimistic locking), history rows
and quality flags. Nothing here re-implements a rule.
"""

from __future__ import annotations

import decimal
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from io import BytesIO
from typing import IO, Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import models, transaction
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _

from wuqiang.accounts import permissions
from wuqiang.accounts.permissions import NotAllowed
from wuqiang.core.files import FileKind, check_upload, safe_filename
from wuqiang.entries import services as entry_services
from wuqiang.entries.models import ChangeSource, Entry
from wuqiang.entries.registry import PillarSheet, get_sheet
from wuqiang.entries.snapshots import describe, describe_object, diff_snapshots
from wuqiang.entries.validation import InvalidSheet, RecordRows, SheetErrors, SheetInput, python_values, validate_sheet
from wuqiang.imports.columns import ColumnSpec, profile_columns, record_columns
from wuqiang.imports.models import BatchState, ImportBatch
from wuqiang.imports.workbook import (
    CODE,
    ROW_ID,
    DataSheet,
    NotATemplate,
    TemplateUnit,
    build_template,
    data_rows,
    error_workbook,
    open_upload,
    read_marker,
)
from wuqiang.regions.models import AssessmentYear, Level, Township, Village
from wuqiang.regions.selectors import year_settings

logger = logging.getLogger(__name__)

IMPORT_DIR = "imports"
PROGRESS_TIMEOUT = 3600


class UploadRefused(Exception):
    """The file was refused before its values were read (type, size, structure, template)."""

    def __init__(self, message: str, batch: ImportBatch | None = None) -> None:
        super().__init__(message)
        self.batch = batch


class TooManyRows(Exception):
    pass


def progress_key(batch_id: int) -> str:
    return f"imports:progress:{batch_id}"


def _progress(batch_id: int, percent: int, message: str) -> None:
    cache.set(progress_key(batch_id), {"progress": percent, "message": message}, timeout=PROGRESS_TIMEOUT)


# --- units and stored values ---------------------------------------------------------------------


def _units(township: Township, sheet: PillarSheet) -> list[Village | Township]:
    if sheet.level == Level.TOWNSHIP:
        return [township]
    return list(Village.objects.filter(township=township).select_related("township__county").order_by("code"))


def _entries(township: Township, year: AssessmentYear, sheet: PillarSheet) -> dict[str, Entry]:
    """The township's entries of the sheet in the year, by unit code (one query)."""
    entries = Entry.objects.filter(township=township, year=year, pillar=sheet.pillar).select_related(
        "village", "township", "year", "updated_by")
    if sheet.level == Level.TOWNSHIP:
        return {e.township.code: e for e in entries.filter(village__isnull=True)}
    return {e.village.code: e for e in entries.filter(village__isnull=False)}


def _entry_for(unit, entries: dict[str, Entry], year: AssessmentYear, sheet: PillarSheet, settings_) -> Entry:
    entry = entries.get(unit.code) or entry_services.new_entry(unit=unit, year=year, sheet=sheet)
    entry._year_settings = settings_
    return entry


def _stored(sheet: PillarSheet, entries: list[Entry]) -> tuple[dict[int, dict], dict[int, dict[str, list]]]:
    """Stored profile values and record rows (pk, values) per entry id, a query per list."""
    ids = [e.pk for e in entries if e.pk]
    profiles = {p.entry_id: python_values(p) for p in sheet.profile_model.objects.filter(entry_id__in=ids)}
    records: dict[int, dict[str, list]] = {}
    for record_sheet in sheet.records:
        for row in record_sheet.model.objects.filter(entry_id__in=ids).order_by("pk"):
            records.setdefault(row.entry_id, {}).setdefault(record_sheet.prefix, []).append(
                (row.pk, python_values(row)))
    return profiles, records


# --- the template ----------------------------------------------------------------------------------


def template_build(*, actor: Any, township: Township, year: AssessmentYear, sheet: PillarSheet,
                   output: IO[bytes]) -> None:
    """The sheet's template for the township's units, pre-filled with their stored values, in the
    active language. ``township`` must have come through the access helper."""
    permissions.require(permissions.import_refusal(actor, township))
    settings_ = year_settings(year=year.pk, county_id=township.county_id)
    entries = _entries(township, year, sheet)
    profiles, records = _stored(sheet, list(entries.values()))
    units = []
    for unit in _units(township, sheet):
        entry = _entry_for(unit, entries, year, sheet, settings_)
        units.append(TemplateUnit(
            code=unit.code, name=unit.name, version=entry.version if entry.pk else 0,
            profile=profiles.get(entry.pk, {}), records=records.get(entry.pk, {}),
            locked_reason=permissions.edit_refusal(actor, entry),
        ))
    build_template(sheet=sheet, year=year.pk, township_code=township.code, units=units, output=output)


def template_filename(township: Township, year: int, sheet: PillarSheet) -> str:
    name = _("%(township)s-%(year)s-%(sheet)s-import template") % {
        "township": township.name, "year": year, "sheet": sheet.label}
    return safe_filename(f"{name}.xlsx")


# --- upload ----------------------------------------------------------------------------------------


def batch_upload(*, actor: Any, township: Township, year: AssessmentYear, sheet: PillarSheet, upload: Any,
                 language: str) -> ImportBatch:
    """Store an uploaded file once its type, size and structure are checked (before openpyxl
    opens it); the values are checked next (``batch_check``). Refused files are listed too."""
    permissions.require(permissions.import_refusal(actor, township))
    filename = safe_filename(getattr(upload, "name", "") or "upload.xlsx")
    batch = ImportBatch(uploaded_by=actor, township=township, year=year, sheet=sheet.slug, filename=filename,
                        language=language, size=getattr(upload, "size", 0) or 0)
    try:
        if not filename.lower().endswith(".xlsx"):
            raise ValidationError(_("Upload the template as an Excel workbook (.xlsx); %(name)s is not one.")
                                  % {"name": filename})
        check_upload(upload, allowed={FileKind.XLSX}, max_bytes=settings.UPLOAD_MAX_BYTES)
    except ValidationError as refused:
        batch.state, batch.message = BatchState.REFUSED, " ".join(refused.messages)
        batch.save()
        raise UploadRefused(batch.message, batch) from None
    batch.file = default_storage.save(f"{IMPORT_DIR}/{actor.pk}/{uuid.uuid4().hex}.xlsx", upload)
    batch.save()
    return batch


def goes_to_worker(batch: ImportBatch, *, applying: bool = False) -> bool:
    if applying:
        return batch.rows > settings.IMPORT_INLINE_MAX_ROWS
    return batch.size > settings.IMPORT_INLINE_MAX_BYTES


def enqueue(batch: ImportBatch, *, applying: bool = False) -> None:
    """Check or apply the batch in a Celery worker once the current transaction commits."""
    from wuqiang.imports import tasks

    task = tasks.apply_batch_task if applying else tasks.check_batch_task

    def send() -> None:
        try:
            task.delay(batch.pk)
        except Exception:  # the broker is down: say so on the upload's page
            logger.exception("Could not queue import %s", batch.pk)
            with translation.override(batch.language):
                message = _("The upload could not be queued; try again later.")
            ImportBatch.objects.filter(pk=batch.pk).update(state=BatchState.FAILED, message=message)

    transaction.on_commit(send)


# --- checking --------------------------------------------------------------------------------------


@dataclass
class _Parsed:
    """One unit's data as read from the file, and where each part came from."""

    code: str
    profile_row: int | None = None
    profile: dict[str, Any] | None = None
    records: dict[str, list[dict[str, Any]]] | None = None
    # (prefix, index in the list) → Excel row
    rows: dict[tuple[str, int], int] | None = None


class _Errors:
    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []

    def add(self, message: str, *, sheet: str = "", row: int | None = None, column: str = "", label: str = "",
            value: Any = None) -> None:
        self.items.append({"sheet": sheet, "row": row, "column": column, "field": label,
                           "value": "" if value is None else str(value)[:200], "message": str(message)})


def _letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


def batch_check(*, batch_id: int) -> ImportBatch | None:
    """Read and check every value of a stored upload; the batch ends refused (with every error)
    or ready (with the preview). Writes nothing else. Safe to run twice."""
    batch = ImportBatch.objects.select_related("uploaded_by", "township__county", "year").filter(pk=batch_id).first()
    if batch is None or batch.state != BatchState.CHECKING:
        return batch
    with translation.override(batch.language):
        try:
            with default_storage.open(batch.file.name, "rb") as fileobj:
                outcome = _check(batch, fileobj, lambda p, m: _progress(batch.pk, p, m))
        except (NotATemplate, NotAllowed) as refused:
            outcome = {"state": BatchState.REFUSED, "message": str(refused)}
        except TooManyRows:
            outcome = {"state": BatchState.REFUSED, "message": _(
                "The file holds more than %(limit)s rows; split it (e.g. by village) and upload the parts.")
                % {"limit": settings.IMPORT_MAX_ROWS}}
        except Exception:  # a part openpyxl cannot read (damaged XML, …): refused, never stuck "checking"
            logger.exception("Import %s could not be read", batch.pk)
            outcome = {"state": BatchState.REFUSED, "message": _("The file is not a readable Excel workbook.")}
        finally:
            cache.delete(progress_key(batch.pk))
    ImportBatch.objects.filter(pk=batch.pk).update(progress=100, **outcome)
    batch.refresh_from_db()
    return batch


def _check(batch: ImportBatch, fileobj: IO[bytes], progress: Callable[[int, str], None]) -> dict[str, Any]:
    sheet = get_sheet(batch.sheet)
    actor, township, year = batch.uploaded_by, batch.township, batch.year
    permissions.require(permissions.import_refusal(actor, township))
    workbook = open_upload(fileobj)
    try:
        marker = read_marker(workbook)
        if marker.sheet != sheet.slug or marker.year != year.pk:
            other = get_sheet(marker.sheet)
            raise NotATemplate(_("This is the template of %(sheet)s for %(year)s, not of %(expected)s for "
                                 "%(expected_year)s: upload it there, or download this sheet's template.") % {
                "sheet": other.label if other else marker.sheet, "year": marker.year,
                "expected": sheet.label, "expected_year": year.pk})
        if marker.township != township.code:
            raise NotATemplate(_("This template was made for another township (%(code)s).")
                               % {"code": marker.township})
        progress(5, _("Reading the file"))
        parsed, errors, raw_rows = _parse(workbook, marker, sheet, township)
    finally:
        workbook.close()
    rows = sum(len(values) for values in raw_rows.values())
    progress(30, _("Checking the values"))
    preview, payload = _check_units(batch, sheet, parsed, marker, errors, progress)
    common = {"units": len(parsed), "rows": rows}
    if errors.items:
        return {**common, "state": BatchState.REFUSED, "errors": errors.items, "preview": [], "payload": {},
                "message": _("Nothing was saved: the file has %(count)s errors. Correct them and upload it again.")
                % {"count": len(errors.items)}}
    changed = sum(1 for unit in preview if unit["changes"])
    message = (_("%(count)s villages will change. Check the changes below and confirm.") % {"count": changed}
               if changed else _("The file changes nothing."))
    return {**common, "state": BatchState.READY, "errors": [], "preview": preview, "payload": payload,
            "message": message}


def _code(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip() if value is not None else ""


def _parse(workbook, marker, sheet: PillarSheet, township: Township):
    units = {u.code: u for u in _units(township, sheet)}
    errors = _Errors()
    parsed: dict[str, _Parsed] = {}
    raw_rows: dict[str, dict[int, dict]] = {}
    specs: dict[str, list[ColumnSpec]] = {"": profile_columns(sheet)}
    for record_sheet in sheet.records:
        specs[record_sheet.prefix] = record_columns(record_sheet)
    expected = {"": [c.name for c in specs[""]]}
    for record_sheet in sheet.records:
        expected[record_sheet.prefix] = [c.name for c in specs[record_sheet.prefix]]
    data_sheets = {ds.prefix: ds for ds in marker.data_sheets}
    if set(data_sheets) != set(expected) or any(
            [c for c in data_sheets[p].columns[2:] if c != ROW_ID] != expected[p] for p in expected):
        raise NotATemplate(_("This template's columns no longer match the sheet: download the template again."))
    count = 0
    order: list[DataSheet] = [data_sheets[""], *(data_sheets[r.prefix] for r in sheet.records)]
    for data_sheet in order:
        prefix = data_sheet.prefix
        columns = {c.name: c for c in specs[prefix]}
        first_row: dict[str, int] = {}
        raw_rows[data_sheet.title] = {}
        for number, values in data_rows(workbook, data_sheet):
            count += 1
            if count > settings.IMPORT_MAX_ROWS:
                raise TooManyRows
            raw_rows[data_sheet.title][number] = values
            code = _code(values.get(CODE))
            if code not in units:
                errors.add(_("%(code)s is not a village of your township.") % {"code": code or "—"}
                           if code else _("Enter the village's code."),
                           sheet=data_sheet.title, row=number, column="A", label=_("Code"), value=code)
                continue
            item = {name: spec.input_value(values.get(name)) for name, spec in columns.items()}
            if prefix == "":
                if code in first_row:
                    errors.add(_("%(code)s appears twice (also in row %(row)s); keep one row per village.")
                               % {"code": code, "row": first_row[code]},
                               sheet=data_sheet.title, row=number, column="A", label=_("Code"), value=code)
                    continue
                first_row[code] = number
                unit = parsed.setdefault(code, _Parsed(code))
                unit.profile_row, unit.profile = number, item
                continue
            unit = parsed.setdefault(code, _Parsed(code))
            unit.records = unit.records if unit.records is not None else {}
            unit.rows = unit.rows if unit.rows is not None else {}
            rows = unit.records.setdefault(prefix, [])
            row_id = values.get(ROW_ID)
            if row_id not in (None, ""):
                item = {"id": _code(row_id), **item}
            unit.rows[(prefix, len(rows))] = number
            rows.append(item)
    return parsed, errors, raw_rows


def _stored_input(sheet: PillarSheet, profile: dict[str, Any], records: dict[str, list]) -> tuple[dict, dict]:
    profile_in = {c.name: c.stored_input(profile.get(c.name)) for c in profile_columns(sheet)}
    records_in = {}
    for record_sheet in sheet.records:
        columns = record_columns(record_sheet)
        records_in[record_sheet.prefix] = {
            str(pk): {c.name: c.stored_input(values.get(c.name)) for c in columns}
            for pk, values in records.get(record_sheet.prefix, [])}
    return profile_in, records_in


def _untouched(sheet: PillarSheet, unit: _Parsed, stored_profile: dict, stored_records: dict) -> bool:
    """Whether the file gives back exactly what the template was filled with from the stored data."""
    profile_in, records_in = _stored_input(sheet, stored_profile, stored_records)
    if unit.profile is not None and unit.profile != profile_in:
        return False
    if unit.profile is None and not unit.records:
        return True
    for record_sheet in sheet.records:
        rows = (unit.records or {}).get(record_sheet.prefix, [])
        if any("id" not in row for row in rows):
            return False
        by_id = {row["id"]: {k: v for k, v in row.items() if k != "id"} for row in rows}
        if len(by_id) != len(rows) or by_id != records_in[record_sheet.prefix]:
            return False
    return True


def _sheet_input(sheet: PillarSheet, profile: dict | None, records: dict | None, whole_lists: bool) -> SheetInput:
    """The services' input: the profile as read, and each record list as the whole list."""
    lists = {}
    for record_sheet in sheet.records:
        rows = (records or {}).get(record_sheet.prefix)
        if rows is not None or whole_lists:
            lists[record_sheet.prefix] = RecordRows(rows=rows or [], replace=True)
    return SheetInput(profile=profile or {}, records=lists)


def _check_units(batch: ImportBatch, sheet: PillarSheet, parsed: dict[str, _Parsed], marker, errors: _Errors,
                 progress: Callable[[int, str], None]):
    actor, township, year = batch.uploaded_by, batch.township, batch.year
    settings_ = year_settings(year=year.pk, county_id=township.county_id)
    units = {u.code: u for u in _units(township, sheet)}
    entries = _entries(township, year, sheet)
    profiles, records = _stored(sheet, list(entries.values()))
    profile_sheet = next(ds for ds in marker.data_sheets if ds.prefix == "")
    sheets = {ds.prefix: ds for ds in marker.data_sheets}
    preview: list[dict[str, Any]] = []
    payload: dict[str, Any] = {}
    total = max(len(parsed), 1)
    for done, (code, item) in enumerate(parsed.items()):
        unit = units[code]
        entry = _entry_for(unit, entries, year, sheet, settings_)
        stored_profile, stored_records = profiles.get(entry.pk, {}), records.get(entry.pk, {})
        where = {"sheet": profile_sheet.title, "row": item.profile_row, "column": "A", "label": _("Code"),
                 "value": code}
        if item.profile_row is None:
            first = min(item.rows.values()) if item.rows else None
            prefix = next((p for (p, _i), r in (item.rows or {}).items() if r == first), "")
            where = {**where, "sheet": sheets[prefix].title, "row": first}
        if _untouched(sheet, item, stored_profile, stored_records):
            preview.append({"code": code, "name": unit.name, "changes": []})
            continue
        data = _sheet_input(sheet, item.profile, item.records, whole_lists=item.profile is not None)
        try:
            clean = validate_sheet(sheet, entry, data)
        except InvalidSheet as invalid:
            _map_errors(invalid.errors, item, sheet, sheets, where, errors)
            continue
        changes = _changes(sheet, entry, clean, stored_profile, stored_records)
        if not changes:
            preview.append({"code": code, "name": unit.name, "changes": []})
            continue
        refusal = permissions.edit_refusal(actor, entry)
        if refusal:
            errors.add(_("%(name)s: %(reason)s") % {"name": unit.name, "reason": refusal}, **where)
            continue
        version = marker.units.get(code)
        current = entry.version if entry.pk else 0
        if version != current:
            errors.add(_stale_message(unit, entry), **where)
            continue
        preview.append({"code": code, "name": unit.name, "new": entry.pk is None, "changes": changes})
        payload[code] = {"version": version, "profile": item.profile, "records": item.records,
                         "whole_lists": item.profile is not None}
        progress(30 + int(65 * (done + 1) / total), _("Checked %(done)s of %(total)s villages")
                 % {"done": done + 1, "total": total})
    return preview, payload


def _stale_message(unit, entry: Entry) -> str:
    if entry.pk is None or entry.updated_at is None:
        return _("%(name)s's sheet changed after this template was downloaded: download the template again.") % {
            "name": unit.name}
    who = entry.updated_by.display_name if entry.updated_by else _("someone")
    return _("%(name)s's sheet was changed by %(who)s at %(when)s, after this template was downloaded: download "
             "the template again and enter your changes there.") % {
        "name": unit.name, "who": who, "when": date_format(localtime(entry.updated_at), "DATETIME_FORMAT")}


def _map_errors(found: SheetErrors, item: _Parsed, sheet: PillarSheet, sheets: dict[str, DataSheet],
                where: dict[str, Any], errors: _Errors) -> None:
    """The services' messages, each put on the cell it is about."""
    profile_sheet = sheets[""]
    for name, messages in found.profile.items():
        for message in messages:
            if name in profile_sheet.columns and item.profile_row is not None:
                column = profile_sheet.columns.index(name)
                errors.add(message, sheet=profile_sheet.title, row=item.profile_row, column=_letter(column),
                           label=_label(sheet.profile_model, name), value=(item.profile or {}).get(name))
            else:
                errors.add(message, **where)
    for prefix, rows in found.records.items():
        data_sheet = sheets.get(prefix)
        for index, fields in rows.items():
            row = (item.rows or {}).get((prefix, index))
            values = (item.records or {}).get(prefix, [])
            values = values[index] if index < len(values) else {}
            for name, messages in fields.items():
                for message in messages:
                    if data_sheet is None or row is None:
                        errors.add(message, **where)
                    elif name in data_sheet.columns:
                        record_sheet = sheet.record_sheet(prefix)
                        errors.add(message, sheet=data_sheet.title, row=row,
                                   column=_letter(data_sheet.columns.index(name)),
                                   label=_label(record_sheet.model, name), value=values.get(name))
                    else:
                        errors.add(message, sheet=data_sheet.title, row=row, column="A", label=_("Code"),
                                   value=item.code)
    for message in found.general:
        errors.add(message, **where)


def _label(model: type[models.Model], name: str) -> str:
    try:
        label = str(model._meta.get_field(name).verbose_name)
    except Exception:
        return name
    return label[:1].upper() + label[1:]


def _values(obj: models.Model) -> dict[str, Any]:
    """A row's values in snapshot form, decimals at their field's precision (so 85.5 typed in
    the file equals 85.50 stored)."""
    from wuqiang.entries.snapshots import _json_value

    values = {}
    for name, value in python_values(obj).items():
        model_field = obj._meta.get_field(name)
        if isinstance(model_field, models.DecimalField) and value is not None:
            value = decimal.Decimal(value).quantize(decimal.Decimal(1).scaleb(-model_field.decimal_places))
        values[name] = _json_value(value)
    return values


def _stored_snapshot(sheet: PillarSheet, entry: Entry, stored_profile: dict, stored_records: dict) -> dict:
    profile = _values(sheet.profile_model(**stored_profile)) if stored_profile else {}
    records = {}
    for record_sheet in sheet.records:
        rows = stored_records.get(record_sheet.prefix, [])
        records[record_sheet.object_type] = {str(pk): _values(record_sheet.model(**values)) for pk, values in rows}
    return {"profile": profile, "records": records}


def _changes(sheet: PillarSheet, entry: Entry, clean, stored_profile: dict, stored_records: dict) -> list[dict]:
    """What applying the clean input would change, row by row, as the history will show it."""
    before = _stored_snapshot(sheet, entry, stored_profile, stored_records)
    after = {"profile": dict(before["profile"]), "records": {k: dict(v) for k, v in before["records"].items()}}
    if clean.profile_form is not None:
        after["profile"] = _values(clean.profile_form.instance)
    for number, row in enumerate(clean.rows):
        instance = row.form.instance
        key = str(instance.pk) if instance.pk else f"new-{number}"
        after["records"][row.record_sheet.object_type][key] = _values(instance)
    for obj in clean.deletions:
        after["records"][obj._meta.label_lower].pop(str(obj.pk), None)
    profile_type = sheet.profile_model._meta.label_lower
    titles = {r.object_type: str(r.title) for r in sheet.records}
    result = []
    for change in diff_snapshots(before, after, profile_type):
        values = {name: (new if new is not None else old) for name, (old, new) in change.changes.items()}
        result.append({
            "action": change.action,
            "list": "" if change.object_type == profile_type else titles.get(change.object_type, ""),
            "title": describe_object(change.object_type, values),
            "lines": [[line.label, line.old, line.new] for line in describe(change.object_type, change.changes)],
        })
    return result


def summary(changes: list[dict]) -> list[dict[str, Any]]:
    """Per record list: how many rows the upload adds, changes and removes (the preview's headline)."""
    counts: dict[str, dict[str, int]] = {}
    for change in changes:
        if change.get("list"):
            counts.setdefault(change["list"], {"created": 0, "updated": 0, "deleted": 0})[change["action"]] += 1
    return [{"list": title, **numbers} for title, numbers in counts.items()]


# --- applying ---------------------------------------------------------------------------------------


class AlreadyHandled(Exception):
    pass


def batch_confirm(*, batch: ImportBatch, actor: Any) -> ImportBatch:
    """The clerk confirms the preview: apply now, or queue it for a worker if it is large."""
    if batch.uploaded_by_id != actor.pk:
        raise NotAllowed(_("Only the clerk who uploaded the file can apply it."))
    claimed = ImportBatch.objects.filter(pk=batch.pk, state=BatchState.READY).update(
        state=BatchState.APPLYING, progress=0)
    if not claimed:
        raise AlreadyHandled(_("This upload was already applied or is being applied."))
    batch.state = BatchState.APPLYING
    if goes_to_worker(batch, applying=True):
        enqueue(batch, applying=True)
        return batch
    return batch_apply(batch_id=batch.pk)


def batch_apply(*, batch_id: int) -> ImportBatch | None:
    """Apply every changed unit of a confirmed batch through ``entry_save`` in one transaction,
    or none of them. Versions are checked again by the service: a sheet changed since the check
    refuses the whole batch. Safe to run twice (an applied batch is left alone)."""
    batch = ImportBatch.objects.select_related("uploaded_by", "township__county", "year").filter(pk=batch_id).first()
    if batch is None or batch.state != BatchState.APPLYING:
        return batch
    sheet = get_sheet(batch.sheet)
    actor = batch.uploaded_by
    with translation.override(batch.language):
        comment = _("Excel upload %(file)s (no. %(id)s)") % {"file": batch.filename, "id": batch.pk}
        try:
            with transaction.atomic():
                units = {u.code: u for u in _units(batch.township, sheet)}
                entries = _entries(batch.township, batch.year, sheet)
                settings_ = year_settings(year=batch.year_id, county_id=batch.township.county_id)
                total = max(len(batch.payload), 1)
                for done, (code, item) in enumerate(batch.payload.items()):
                    entry = _entry_for(units[code], entries, batch.year, sheet, settings_)
                    data = _sheet_input(sheet, item["profile"], item["records"], whole_lists=item["whole_lists"])
                    entry_services.entry_save(entry=entry, actor=actor, expected_version=item["version"], data=data,
                                              source=ChangeSource.IMPORT, comment=comment)
                    _progress(batch.pk, int(100 * (done + 1) / total),
                              _("Saved %(done)s of %(total)s villages") % {"done": done + 1, "total": total})
        except entry_services.StaleEntry as stale:
            unit = stale.entry.unit
            outcome = {"state": BatchState.FAILED, "message": _(
                "Nothing was saved: %(name)s's sheet was changed by someone else after the check. Download the "
                "template again.") % {"name": unit.name if unit else ""}}
        except (NotAllowed, InvalidSheet) as refused:
            outcome = {"state": BatchState.FAILED,
                       "message": _("Nothing was saved: %(reason)s") % {"reason": refused}}
        else:
            outcome = {"state": BatchState.APPLIED, "applied_at": timezone.now(), "message": _(
                "Saved the changes of %(count)s villages.") % {"count": len(batch.payload)}}
        finally:
            cache.delete(progress_key(batch.pk))
    ImportBatch.objects.filter(pk=batch.pk).update(progress=100, **outcome)
    if outcome["state"] == BatchState.APPLIED:
        from wuqiang.audit.models import EventKind
        from wuqiang.audit.services import record

        record(EventKind.IMPORT, actor=actor, obj=batch, sheet=batch.sheet, year=batch.year_id,
               township=batch.township.code, units=len(batch.payload), file=batch.filename)
    batch.refresh_from_db()
    return batch


def files_purge(*, now=None) -> int:
    """Delete uploaded files older than IMPORT_RETENTION_DAYS, and the values read from them (the
    clerks' personal data leaves with them); the upload's row, outcome and errors stay. Returns
    the files deleted."""
    from datetime import timedelta

    cutoff = (now or timezone.now()) - timedelta(days=settings.IMPORT_RETENTION_DAYS)
    expired = ImportBatch.objects.filter(created_at__lt=cutoff).exclude(file="")
    names = list(expired.values_list("file", flat=True))
    for name in names:
        default_storage.delete(name)
    expired.update(file="", payload={})
    # A batch not yet applied cannot be applied any more without its values.
    ImportBatch.objects.filter(created_at__lt=cutoff, state=BatchState.READY).update(state=BatchState.FAILED)
    return len(names)


def batch_error_workbook(batch: ImportBatch) -> BytesIO:
    """The uploaded file with its bad cells highlighted and commented."""
    output = BytesIO()
    with default_storage.open(batch.file.name, "rb") as fileobj:
        error_workbook(fileobj, batch.errors, output)
    output.seek(0)
    return output
