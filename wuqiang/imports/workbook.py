"""The import template (built with openpyxl), reading an upload back, and the error workbook.

Layout of a template for one pillar sheet and year:

- an instructions sheet (in the language of the clerk who downloads it);
- one sheet for the profile: a row per unit (village, or the township for a township-level
  sheet), code and name locked, one column per profile field;
- one sheet per record list: a row per record, the unit's code first, a hidden row-id column
  last (rows keep their id so a re-upload changes them instead of adding copies);
- two very hidden sheets: the drop-down lists, and the marker naming the template version, the
  pillar sheet, the year, the township, each unit's entry version at download (the optimistic
  lock) and each data sheet's field per column.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from wuqiang.entries.registry import PillarSheet
from wuqiang.imports.columns import ColumnSpec, Kind, profile_columns, record_columns
from wuqiang.reports.xlsx import EXCEL_MAX_TEXT, FORMULA_TRIGGERS, sheet_title

TEMPLATE_VERSION = "1"
MARKER_SHEET = "_wuqiang"
LISTS_SHEET = "_lists"
MARKER_TAG = "wuqiang-import-template"
# Blank rows offered (unlocked, with drop-downs) under the records of each list.
BLANK_RECORD_ROWS = 200
CODE, NAME = "__code__", "__name__"
ROW_ID = "__id__"

HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
LOCKED_FILL = PatternFill("solid", fgColor="F2F2F2")
ERROR_FILL = PatternFill("solid", fgColor="FF9999")
UNLOCKED = Protection(locked=False)


def set_text(cell, text: str) -> None:
    """User text as text: never a formula, quote-prefixed when it looks like one (the same rule
    as the reports' ``text_cell``)."""
    text = text[:EXCEL_MAX_TEXT]
    cell.value = text
    cell.data_type = "s"
    if text.startswith(FORMULA_TRIGGERS):
        cell.quotePrefix = True


def set_value(cell, value: Any) -> None:
    if isinstance(value, str):
        set_text(cell, value)
    else:
        cell.value = value
        if isinstance(value, datetime.date):
            cell.number_format = "yyyy-mm-dd"


@dataclass
class TemplateUnit:
    """One village (or the township) as the template lists it, with its stored values."""

    code: str
    name: str
    version: int
    profile: dict[str, Any] = field(default_factory=dict)
    # prefix → [(row id, {field: value})]
    records: dict[str, list[tuple[int, dict[str, Any]]]] = field(default_factory=dict)
    locked_reason: str | None = None


@dataclass
class DataSheet:
    """A data sheet of the template as the marker describes it."""

    title: str
    prefix: str  # "" for the profile
    columns: list[str]


def build_template(*, sheet: PillarSheet, year: int, township_code: str, units: list[TemplateUnit],
                   output: IO[bytes]) -> None:
    """Write the template (in the active language) to ``output``."""
    workbook = Workbook()
    instructions = workbook.active
    instructions.title = sheet_title(_("Instructions"), [])
    lists = workbook.create_sheet(LISTS_SHEET)
    lists.sheet_state = "veryHidden"
    marker = workbook.create_sheet(MARKER_SHEET)
    marker.sheet_state = "veryHidden"
    taken = [instructions.title, LISTS_SHEET, MARKER_SHEET]
    list_ranges: dict[tuple[str, str], str] = {}
    codes = [u.code for u in units]
    code_range = _list_range(lists, list_ranges, ("__units__", ""), codes)

    marker.append([MARKER_TAG, TEMPLATE_VERSION])
    marker.append(["sheet", sheet.slug])
    marker.append(["year", year])
    marker.append(["township", township_code])
    for unit in units:
        marker.append(["unit", unit.code, unit.version])

    profile_title = sheet_title(str(sheet.label), taken)
    taken.append(profile_title)
    columns = profile_columns(sheet)
    ws = workbook.create_sheet(profile_title)
    _header(ws, [_("Code"), _("Name")], columns)
    for row, unit in enumerate(units, start=2):
        set_text(ws.cell(row, 1), unit.code)
        set_text(ws.cell(row, 2), unit.name)
        for col in (1, 2):
            ws.cell(row, col).fill = LOCKED_FILL
        if unit.locked_reason:
            ws.cell(row, 2).comment = Comment(unit.locked_reason, "wuqiang")
        for offset, spec in enumerate(columns, start=3):
            cell = ws.cell(row, offset)
            set_value(cell, spec.cell_value(unit.profile.get(spec.name)))
            cell.protection = UNLOCKED
    _validations(ws, lists, list_ranges, columns, first_col=3, last_row=max(len(units) + 1, 2), year=year)
    _protect(ws, rows_fixed=True)
    marker.append(["data", profile_title, "", CODE, NAME, *(c.name for c in columns)])

    for record_sheet in sheet.records:
        title = sheet_title(str(record_sheet.title), taken)
        taken.append(title)
        columns = record_columns(record_sheet)
        ws = workbook.create_sheet(title)
        _header(ws, [_("Code"), _("Name")], columns)
        id_col = len(columns) + 3
        ws.cell(1, id_col, _("Row id (do not change)"))
        ws.column_dimensions[get_column_letter(id_col)].hidden = True
        row = 2
        for unit in units:
            for row_id, values in unit.records.get(record_sheet.prefix, []):
                set_text(ws.cell(row, 1), unit.code)
                set_text(ws.cell(row, 2), unit.name)
                for offset, spec in enumerate(columns, start=3):
                    set_value(ws.cell(row, offset), spec.cell_value(values.get(spec.name)))
                ws.cell(row, id_col, row_id)
                row += 1
        last_row = row + BLANK_RECORD_ROWS - 1
        # Every cell below the header is unlocked, the hidden row id too: Excel deletes a row
        # only if none of its cells is locked. A row id typed over is refused by the check
        # (it must name a stored row of the same village's list).
        for r in range(2, last_row + 1):
            for c in range(1, id_col + 1):
                ws.cell(r, c).protection = UNLOCKED
        code_check = DataValidation(type="list", formula1=code_range, allow_blank=True, showErrorMessage=True,
                                    error=_("Choose one of your villages' codes."))
        code_check.add(f"A2:A{last_row}")
        ws.add_data_validation(code_check)
        _validations(ws, lists, list_ranges, columns, first_col=3, last_row=last_row, year=year)
        _protect(ws, rows_fixed=False)
        marker.append(["data", title, record_sheet.prefix, CODE, NAME, *(c.name for c in columns), ROW_ID])

    _instructions(instructions, sheet, year, units)
    # The hidden sheets go last, so the visible ones keep their order in any tool.
    for hidden in (lists, marker):
        workbook.move_sheet(hidden, offset=len(workbook.sheetnames) - 1 - workbook.index(hidden))
    workbook.active = 0
    workbook.save(output)


def _header(ws, fixed: list[str], columns: list[ColumnSpec]) -> None:
    for col, text in enumerate([*fixed, *(c.label for c in columns)], start=1):
        cell = ws.cell(1, col)
        set_text(cell, str(text))
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.column_dimensions[get_column_letter(col)].width = 14 if col > 2 else 16
    for col, spec in enumerate(columns, start=len(fixed) + 1):
        note = spec.rule_text()
        if note:
            ws.cell(1, col).comment = Comment(note, "wuqiang", width=240, height=110)
    ws.freeze_panes = "C2"
    ws.row_dimensions[1].height = 45


def _list_range(lists, ranges: dict, key: tuple[str, str], labels: list[str]) -> str:
    if key not in ranges:
        col = len(ranges) + 1
        for row, label in enumerate(labels, start=1):
            set_text(lists.cell(row, col), label)
        letter = get_column_letter(col)
        ranges[key] = f"{quote_sheetname(LISTS_SHEET)}!${letter}$1:${letter}${max(len(labels), 1)}"
    return ranges[key]


def _validations(ws, lists, list_ranges: dict, columns: list[ColumnSpec], *, first_col: int, last_row: int,
                 year: int) -> None:
    for col, spec in enumerate(columns, start=first_col):
        letter = get_column_letter(col)
        check = _validation(lists, list_ranges, spec, year)
        if check is not None:
            check.add(f"{letter}2:{letter}{last_row}")
            ws.add_data_validation(check)


def _validation(lists, list_ranges: dict, spec: ColumnSpec, year: int) -> DataValidation | None:
    common = {"allow_blank": True, "showErrorMessage": True, "errorTitle": spec.label[:32]}
    note = spec.rule_text().replace("\n", "; ")[:250]
    if spec.kind in (Kind.BOOL, Kind.CHOICE):
        source = _list_range(lists, list_ranges, (spec.model._meta.label, spec.name), [lbl for _v, lbl in spec.choices])
        return DataValidation(type="list", formula1=source, error=note, **common)
    if spec.kind in (Kind.INT, Kind.DECIMAL):
        kind = "whole" if spec.kind == Kind.INT else "decimal"
        if spec.low is not None and spec.high is not None:
            return DataValidation(type=kind, operator="between", formula1=str(spec.low), formula2=str(spec.high),
                                  error=note, **common)
        if spec.low is not None:
            return DataValidation(type=kind, operator="greaterThanOrEqual", formula1=str(spec.low), error=note,
                                  **common)
        return DataValidation(type=kind, operator="greaterThanOrEqual", formula1="-1E+15", error=note, **common)
    if spec.kind == Kind.DATE:
        if spec.in_year:
            return DataValidation(type="date", operator="between", formula1=f"DATE({year},1,1)",
                                  formula2=f"DATE({year},12,31)", error=note, **common)
        return DataValidation(type="date", operator="greaterThan", formula1="DATE(1900,1,1)", error=note, **common)
    if spec.kind == Kind.TEXT and spec.max_length:
        return DataValidation(type="textLength", operator="lessThanOrEqual", formula1=str(spec.max_length),
                              error=note, **common)
    return None


def _protect(ws, *, rows_fixed: bool) -> None:
    # No password: protection keeps a clerk from typing over codes by mistake; the upload checks
    # every value whatever the file says.
    protection = ws.protection
    protection.sheet = True
    protection.formatColumns = False
    protection.formatCells = False
    protection.autoFilter = False
    protection.sort = False
    if not rows_fixed:
        protection.insertRows = False
        protection.deleteRows = False


def _instructions(ws, sheet: PillarSheet, year: int, units: list[TemplateUnit]) -> None:
    lines = [
        _("Import template: %(sheet)s, %(year)s") % {"sheet": sheet.label, "year": year},
        "",
        _("1. Fill in or correct the values on the other sheets. Codes and names are locked; every "
          "column's header has a note with its unit and range, and drop-downs offer the choices."),
        _("2. On the record sheets each row is one record: put the village's code in the first "
          "column. Delete a row to remove that record; add rows below for new records."),
        _("3. Save the file as Excel workbook (.xlsx) and upload it from the work board. The whole file "
          "is checked first: if anything is wrong, nothing is saved and you get the list of errors (and "
          "this workbook back with the bad cells marked)."),
        _("4. Before anything is saved you see what will change for each village, and confirm."),
        _("5. Rows you did not change are left alone. A village's sheet that was submitted or approved, "
          "or changed by someone else after you downloaded this file, cannot be changed by the upload."),
        _("Do not rename or reorder the sheets or columns; use a template downloaded for this year."),
    ]
    locked = [u for u in units if u.locked_reason]
    if locked:
        lines += ["", _("Not editable now:")] + [f"{u.code} {u.name}: {u.locked_reason}" for u in locked]
    for row, line in enumerate(lines, start=1):
        set_text(ws.cell(row, 1), line)
    ws["A1"].font = Font(bold=True, size=14)
    ws.column_dimensions["A"].width = 120
    for row in range(3, len(lines) + 1):
        ws.cell(row, 1).alignment = Alignment(wrap_text=True)


# --- reading an upload --------------------------------------------------------------------------


class NotATemplate(Exception):
    """The workbook is not one of the portal's import templates (or is damaged)."""


@dataclass
class Marker:
    version: str
    sheet: str
    year: int | None
    township: str
    units: dict[str, int]
    data_sheets: list[DataSheet]


def read_marker(workbook) -> Marker:
    if MARKER_SHEET not in workbook.sheetnames:
        raise NotATemplate(_("This workbook is not an import template of the portal: download the template from "
                             "the work board and fill that in."))
    rows = [list(r) for r in workbook[MARKER_SHEET].iter_rows(values_only=True)]
    if not rows or not rows[0] or rows[0][0] != MARKER_TAG:
        raise NotATemplate(_("This workbook is not an import template of the portal: download the template from "
                             "the work board and fill that in."))
    if str(rows[0][1]) != TEMPLATE_VERSION:
        raise NotATemplate(_("This template was made by an older version of the portal: download it again."))
    values: dict[str, Any] = {}
    units: dict[str, int] = {}
    data_sheets: list[DataSheet] = []
    for row in rows[1:]:
        key = row[0] if row else None
        if key == "unit" and len(row) >= 3:
            units[str(row[1])] = _int(row[2]) or 0
        elif key == "data" and len(row) >= 4:
            data_sheets.append(DataSheet(str(row[1]), str(row[2] or ""), [str(c) for c in row[3:] if c]))
        elif key in ("sheet", "year", "township") and len(row) >= 2:
            values[key] = row[1]
    return Marker(version=TEMPLATE_VERSION, sheet=str(values.get("sheet", "")), year=_int(values.get("year")),
                  township=str(values.get("township", "")), units=units, data_sheets=data_sheets)


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def open_upload(fileobj: IO[bytes]):
    """The checked upload opened read-only (formulas read as their last computed values)."""
    try:
        return load_workbook(fileobj, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds on a damaged package
        raise NotATemplate(_("The file is not a readable Excel workbook.")) from error


def data_rows(workbook, data_sheet: DataSheet) -> Iterator[tuple[int, dict[str, Any]]]:
    """(Excel row number, {column key: cell value}) of each non-empty row below the header."""
    if data_sheet.title not in workbook.sheetnames:
        raise NotATemplate(_("The sheet %(sheet)s is missing: do not rename or delete the template's sheets.")
                           % {"sheet": data_sheet.title})
    ws = workbook[data_sheet.title]
    width = len(data_sheet.columns)
    for number, row in enumerate(ws.iter_rows(min_row=2, max_col=width, values_only=True), start=2):
        values = dict(zip(data_sheet.columns, row, strict=False))
        if all(_blank(v) for key, v in values.items() if key not in (NAME, ROW_ID)):
            continue
        yield number, values


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


# --- the error workbook ---------------------------------------------------------------------------


def error_workbook(fileobj: IO[bytes], errors: list[dict[str, Any]], output: IO[bytes]) -> None:
    """The uploaded workbook with each bad cell filled red and a comment giving the message."""
    workbook = load_workbook(fileobj)
    by_cell: dict[tuple[str, str], list[str]] = {}
    for error in errors:
        if error.get("sheet") and error.get("row") and error.get("column"):
            by_cell.setdefault((error["sheet"], f"{error['column']}{error['row']}"), []).append(error["message"])
    for (title, ref), messages in by_cell.items():
        if title not in workbook.sheetnames:
            continue
        cell = workbook[title][ref]
        cell.fill = ERROR_FILL
        cell.comment = Comment("\n".join(messages), "wuqiang", width=260, height=90)
    workbook.save(output)
