"""Streaming .xlsx files: openpyxl's write-only workbook, with each sheet's rows rendered here.

openpyxl (write-only mode) owns the workbook: cell styles, sheet properties, frozen panes,
filters, print setup and the zip package. What it does cell by cell — a Cell object, type
inference, an lxml element — costs about 5 µs per cell on a 2-core server, which alone puts
the city's workbook (about 800,000 cells) over its 3-second budget. So the rows of each sheet
are rendered here as XML text, about 0.5 µs per cell, and written straight into the sheet's
file between the parts openpyxl writes before and after them (``_StreamedSheet``).

Each column decides the type of its cells, and a cell holding text is always an inline
string (:func:`text_cell`): no value coming from a user can ever become a formula.
"""

from __future__ import annotations

import datetime
import math
import os
import re
import tempfile
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from io import BytesIO
from pathlib import Path
from types import SimpleNamespace
from typing import IO, Any, NamedTuple
from zipfile import ZIP_DEFLATED, ZipFile

from django.utils import timezone
from lxml.etree import Element
from openpyxl import Workbook
from openpyxl.cell import Cell
from openpyxl.packaging.relationship import RelationshipList
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet._writer import WorksheetWriter
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

# Excel's limits: rows per sheet (the header included), characters per cell, characters per sheet name.
EXCEL_MAX_ROWS = 1_048_576
EXCEL_MAX_TEXT = 32_767
SHEET_TITLE_MAX = 31
# A cell's text starting with one of these is what spreadsheets (and CSV importers) treat as
# a formula; such text gets Excel's "quote prefix" too, so editing the cell keeps it text.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# Deflate level 1: the XML compresses almost as well as at the default level 6, four times faster.
ZIP_LEVEL = 1
ROWS_PER_WRITE = 1000
TEXT_CACHE = 4096
# Rows looked at to fit the column widths before the sheet's first rows are written.
WIDTH_SAMPLE = 100
WIDTH_MIN, WIDTH_MAX, HEADER_WIDTH_MAX = 6, 50, 18

_EXCEL_EPOCH = datetime.date(1899, 12, 30)
_EXCEL_EPOCH_DT = datetime.datetime(1899, 12, 30)
_ONE_DAY = datetime.timedelta(days=1)
# Characters XML 1.0 does not allow are dropped; CR is kept as a character reference, since
# an XML reader turns a literal CR into LF.
_XML_TEXT = {ord("&"): "&amp;", ord("<"): "&lt;", ord(">"): "&gt;", ord("\r"): "&#13;",
             **{c: None for c in (*range(0, 9), 11, 12, *range(14, 32), 0xFFFE, 0xFFFF)}}
_NEEDS_ESCAPE = re.compile("[&<>\r\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_SHEET_TITLE_FORBIDDEN = str.maketrans({c: "_" for c in "[]:*?/\\"})


class Kind:
    """How a column's cells are written."""

    TEXT = "text"
    NUMBER = "number"
    DATE = "date"
    # Any type, decided per value (small sheets such as the summary); see ``Styled``.
    ANY = "any"


@dataclass(frozen=True)
class Column:
    """One column of a streamed sheet: its header, cell type and display."""

    header: str
    kind: str = Kind.TEXT
    # A name from ``STYLES`` (number format, wrapping).
    style: str = "text"
    # None: fitted to the header and the first rows.
    width: float | None = None
    # Applied to each value that is not None before it is written (choice labels, yes/no…).
    convert: Callable[[Any], Any] | None = None


class Styled(NamedTuple):
    """A value with a style of its own, for cells of an ``ANY`` column."""

    value: Any
    style: str


STYLES: dict[str, dict[str, Any]] = {
    "text": {},
    "wrap": {"wrap": True},
    "header": {"bold": True, "fill": "DDEBF7", "wrap": True, "border": True},
    "title": {"bold": True, "size": 15},
    "heading": {"bold": True, "size": 12, "fill": "F2F2F2"},
    "label": {"color": "595959"},
    "warning": {"bold": True, "color": "C00000"},
    "int": {"format": "#,##0"},
    "plain_int": {"format": "0"},
    "money": {"format": "#,##0.00"},
    "decimal1": {"format": "0.0"},
    "points": {"format": "0.00"},
    "percent": {"format": "0.00%"},
    "percent1": {"format": "0.0%"},
    "percent0": {"format": "0%"},
    "date": {"format": "yyyy-mm-dd"},
    "datetime": {"format": "yyyy-mm-dd hh:mm"},
}


def text_cell(ref: str, text: str, style: int, quoted_style: int) -> str:
    """One cell holding ``text`` as text, whatever it starts with: an inline string, which no
    spreadsheet evaluates, styled with the quote prefix when it looks like a formula."""
    return f'<c r="{ref}"{_text_cell_rest(text, style, quoted_style)}'


def _text_cell_rest(text: str, style: int, quoted_style: int) -> str:
    """``text_cell`` after its reference (``r="A1"``)."""
    if len(text) > EXCEL_MAX_TEXT:
        text = text[:EXCEL_MAX_TEXT]
    if text.startswith(FORMULA_TRIGGERS):
        style = quoted_style
    space = ' xml:space="preserve"' if text[:1].isspace() or text[-1:].isspace() else ""
    if _NEEDS_ESCAPE.search(text):
        text = text.translate(_XML_TEXT)
    return f' s="{style}" t="inlineStr"><is><t{space}>{text}</t></is></c>'


def number_cell(ref: str, value: int | float | Decimal, style: int) -> str:
    if value.__class__ is float and not math.isfinite(value):
        return ""
    return f'<c r="{ref}" s="{style}"><v>{value}</v></c>'


def excel_date(value: datetime.date | datetime.datetime) -> float | int:
    """Days since Excel's epoch; aware datetimes in the portal's time zone."""
    if isinstance(value, datetime.datetime):
        if value.tzinfo is not None:
            value = timezone.localtime(value).replace(tzinfo=None)
        return (value - _EXCEL_EPOCH_DT) / _ONE_DAY
    return (value - _EXCEL_EPOCH).days


def display_width(text: str) -> int:
    """Width in Excel's character units: CJK characters take two."""
    if text.isascii():
        return len(text)
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def sheet_title(text: str, taken: Iterable[str]) -> str:
    """A valid, unique sheet name (31 characters, none of []:*?/\\)."""
    base = str(text).translate(_SHEET_TITLE_FORBIDDEN).strip("' ") or "Sheet"
    taken_lower = {t.lower() for t in taken}
    title, n = base[:SHEET_TITLE_MAX], 1
    while title.lower() in taken_lower:
        n += 1
        suffix = f" ({n})"
        title = base[:SHEET_TITLE_MAX - len(suffix)] + suffix
    return title


class _SheetFile:
    """What openpyxl's ExcelWriter needs of a finished write-only sheet: its file and relations."""

    def __init__(self, path: Path, rels: RelationshipList):
        self.out = str(path)
        self._rels = rels

    def cleanup(self) -> None:
        os.remove(self.out)


class _StreamedSheet(WriteOnlyWorksheet):
    """A write-only worksheet whose rows are written as XML text by ``SheetWriter``.

    openpyxl writes what comes before the rows (properties, frozen panes, column widths) and
    what comes after them (filter, print setup); the rows go straight into the sheet's file.
    """

    def __init__(self, parent: Workbook, title: str, path: Path):
        super().__init__(parent, title)
        self._xml_path = Path(path)
        self._file: IO[bytes] | None = None
        self._finished = False

    @property
    def closed(self) -> bool:
        return self._finished

    def _parts(self) -> tuple[bytes, bytes, RelationshipList]:
        """openpyxl's XML for this sheet with no rows, cut where the rows go."""
        writer = WorksheetWriter(self, out=BytesIO())
        writer.write_top()
        writer.xf.send(Element("sheetData"))
        writer.write_tail()
        writer.close()
        top, tail = writer.out.getvalue().split(b"<sheetData/>")
        return top, tail, writer._rels

    def begin(self) -> None:
        top, _, _ = self._parts()
        self._file = self._xml_path.open("wb")
        self._file.write(top + b"<sheetData>")

    def write(self, data: bytes) -> None:
        self._file.write(data)

    def close(self) -> None:
        """Finish the file; openpyxl's ExcelWriter then zips ``self._writer.out`` and removes it."""
        if self._finished:
            return
        if self._file is None:
            self.begin()
        _, tail, rels = self._parts()
        self._file.write(b"</sheetData>" + tail)
        self._file.close()
        self._writer = _SheetFile(self._xml_path, rels)
        self._finished = True


class SheetWriter:
    """Appends rows of values to one sheet (and its continuations past Excel's row limit):
    a header row, frozen panes, a filter over the data, columns fitted to the first rows,
    landscape pages fitted to the width with the header repeated."""

    def __init__(self, book: XlsxBook, title: str, columns: Sequence[Column], *, freeze: str | None = "A2",
                 header: bool = True, filters: bool = True, max_rows: int = EXCEL_MAX_ROWS):
        self.book, self.title, self.columns = book, title, list(columns)
        self.freeze, self.header, self.filters, self.max_rows = freeze, header, filters, max_rows
        self.rows_written = 0
        self.letters = [get_column_letter(i) for i in range(1, len(self.columns) + 1)]
        self.renderers = [book.renderer(c, letter) for c, letter in zip(self.columns, self.letters, strict=True)]
        self._continuation = 1
        self._fitted: list[float] | None = None
        # The benchmark's recorder sees every row appended (see ``XlsxBook``'s ``tap``).
        self._tap = book.tap.sheet(title, self.columns, freeze=freeze, header=header, filters=filters) \
            if book.tap is not None else None
        self._open(title)

    # --- one physical sheet -------------------------------------------------------------
    def _open(self, title: str) -> None:
        self.sheet = self.book.new_sheet(title)
        self.row = 0
        self._sample: list[Sequence[Any]] | None = []
        self._chunk: list[str] = []
        sheet = self.sheet
        if self.freeze:
            sheet.freeze_panes = self.freeze
        sheet.page_setup.orientation = "landscape"
        sheet.page_setup.paperSize = Worksheet.PAPERSIZE_A4
        sheet.page_setup.fitToWidth = 1
        sheet.page_setup.fitToHeight = 0
        sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
        if self.header:
            sheet.print_title_rows = "1:1"

    def _start(self) -> None:
        """Fit the widths to the header and the sampled rows, then write them out."""
        sample, self._sample = self._sample, None
        if self._fitted is None:  # continuation sheets keep the first sheet's widths
            self._fitted = self._widths(sample)
        for letter, width in zip(self.letters, self._fitted, strict=True):
            self.sheet.column_dimensions[letter].width = width
        self.sheet.begin()
        if self.header:
            style = self.book.style("header")
            quoted = self.book.quoted(style)
            self.row = 1
            self._chunk.append('<row r="1">' + "".join(text_cell(f"{letter}1", str(c.header), style, quoted)
                                                       for letter, c in zip(self.letters, self.columns, strict=True))
                               + "</row>")
        for values in sample:
            self._add(values)

    def _widths(self, sample: list[Sequence[Any]]) -> list[float]:
        widths = []
        for i, column in enumerate(self.columns):
            if column.width is not None:
                widths.append(column.width)
                continue
            width = min(display_width(str(column.header)), HEADER_WIDTH_MAX) if self.header else WIDTH_MIN
            for values in sample:
                value = values[i] if i < len(values) else None
                if value is not None:
                    width = max(width, self.book.shown_width(value, column))
            widths.append(float(max(WIDTH_MIN, min(width + 2, WIDTH_MAX))))
        return widths

    def _add(self, values: Sequence[Any]) -> None:
        if self.row >= self.max_rows:
            self._finish()
            self._continuation += 1
            self._open(f"{self.title} ({self._continuation})")
            self._start()
        self.row += 1
        row = str(self.row)
        cells = "".join([render(row, value) for render, value in zip(self.renderers, values, strict=False)
                         if value is not None])
        self._chunk.append(f'<row r="{row}">{cells}</row>')
        self.rows_written += 1
        if len(self._chunk) >= ROWS_PER_WRITE:
            self._flush()

    def _flush(self) -> None:
        if self._chunk:
            self.sheet.write("".join(self._chunk).encode("utf-8", "replace"))
            self._chunk = []

    def _finish(self) -> None:
        if self._sample is not None:
            self._start()
        self._flush()
        if self.filters and self.header and self.columns:
            self.sheet.auto_filter.ref = f"A1:{self.letters[-1]}{max(self.row, 1)}"
        self.sheet.close()

    # --- public ------------------------------------------------------------------------
    def append(self, values: Sequence[Any]) -> None:
        if self._tap is not None:
            self._tap(values)
        if self._sample is not None:
            self._sample.append(values)
            if len(self._sample) >= WIDTH_SAMPLE:
                self._start()
            return
        self._add(values)

    def close(self) -> None:
        self._finish()


class XlsxBook:
    """One workbook being written to ``output`` (a path or a binary file); use as a context
    manager so the sheets' temporary files go whatever happens. ``tap``, if given, is told
    of every sheet (``tap.sheet(title, columns, **options)`` returns a callable that receives
    each row): the benchmark uses it to replay the same cells without a database."""

    def __init__(self, output: str | Path | IO[bytes], *, title: str = "", creator: str = "", tap: Any = None):
        self.output = output
        self.tap = tap
        self.workbook = Workbook(write_only=True)
        self.workbook.properties.title = title
        self.workbook.properties.creator = creator
        self._tmp = tempfile.TemporaryDirectory(prefix="wuqiang-xlsx-")
        self._styles: dict[str, int] = {}
        self._quoted: dict[int, int] = {}
        self._style_specs: dict[int, dict[str, Any]] = {}
        self._labels = {"yes": "", "no": ""}

    def __enter__(self) -> XlsxBook:
        return self

    def __exit__(self, *exc_info) -> None:
        self._tmp.cleanup()

    def set_yes_no(self, yes: str, no: str) -> None:
        """The words written for True and False in ``ANY`` columns (the report's language)."""
        self._labels = {"yes": yes, "no": no}

    # --- styles ------------------------------------------------------------------------
    def _register(self, spec: dict[str, Any]) -> int:
        cell = Cell(SimpleNamespace(parent=self.workbook))
        if "format" in spec:
            cell.number_format = spec["format"]
        if spec.get("bold") or spec.get("size") or spec.get("color"):
            cell.font = Font(bold=spec.get("bold", False), size=spec.get("size"), color=spec.get("color"))
        if "fill" in spec:
            cell.fill = PatternFill("solid", fgColor=spec["fill"])
        if spec.get("wrap"):
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        if spec.get("border"):
            cell.border = Border(bottom=Side(style="thin"))
        if spec.get("quote"):
            cell.quotePrefix = True
        style_id = cell.style_id
        self._style_specs[style_id] = spec
        return style_id

    def style(self, name: str) -> int:
        if name not in self._styles:
            self._styles[name] = self._register(STYLES[name])
        return self._styles[name]

    def quoted(self, style_id: int) -> int:
        """The same style with Excel's quote prefix (the cell is text, typed or edited)."""
        if style_id not in self._quoted:
            self._quoted[style_id] = self._register({**self._style_specs[style_id], "quote": True})
        return self._quoted[style_id]

    # --- cells -------------------------------------------------------------------------
    def renderer(self, column: Column, letter: str) -> Callable[[str, Any], str]:
        """``render(row, value)`` → the XML of the cell in column ``letter`` of that row (a
        string). The column's style, and for text each value's rendering, are worked out once:
        this runs for every cell of a province's report."""
        style = self.style(column.style)
        convert = column.convert
        head = f'<c r="{letter}'
        if column.kind == Kind.TEXT:
            quoted = self.quoted(style)
            # Codes, names and choice labels repeat from row to row: a value's cell is rendered
            # once and only its reference changes. The cache starts afresh when full (codes
            # repeat in runs, so the values in use come back at once).
            cache: dict[Any, str] = {}

            def render_text(row: str, value: Any) -> str:
                try:
                    rest = cache.get(value)
                except TypeError:  # a list (several choices): rendered each time
                    rest = None
                if rest is None:
                    shown = convert(value) if convert is not None else value
                    if shown is None:
                        return ""
                    rest = _text_cell_rest(shown if shown.__class__ is str else str(shown), style, quoted)
                    if value.__hash__ is not None:
                        if len(cache) >= TEXT_CACHE:
                            cache.clear()
                        cache[value] = rest
                return f'{head}{row}"{rest}'

            return render_text
        number = f'" s="{style}"><v>'
        if column.kind == Kind.NUMBER:
            def render_number(row: str, value: Any) -> str:
                if convert is not None:
                    value = convert(value)
                    if value is None:
                        return ""
                cls = value.__class__
                if cls is Decimal or cls is int or (cls is float and math.isfinite(value)):
                    return f"{head}{row}{number}{value!s}</v></c>"
                return self.any_cell(f"{letter}{row}", value, style)

            return render_number
        if column.kind == Kind.DATE:
            def render_date(row: str, value: Any) -> str:
                if convert is not None:
                    value = convert(value)
                    if value is None:
                        return ""
                if not isinstance(value, datetime.date):
                    return self.any_cell(f"{letter}{row}", value, style)
                return f"{head}{row}{number}{excel_date(value)!s}</v></c>"

            return render_date

        def render_any(row: str, value: Any) -> str:
            if convert is not None:
                value = convert(value)
                if value is None:
                    return ""
            return self.any_cell(f"{letter}{row}", value, style)

        return render_any

    def any_cell(self, ref: str, value: Any, style: int) -> str:
        """A cell whose type follows its value (``Styled`` values bring their own style)."""
        if isinstance(value, Styled):
            value, style = value.value, self.style(value.style)
            if value is None:
                return ""
        if isinstance(value, str):
            return text_cell(ref, value, style, self.quoted(style))
        if isinstance(value, bool):
            word = self._labels["yes" if value else "no"]
            return text_cell(ref, word, style, self.quoted(style))
        if isinstance(value, (int, float, Decimal)):
            return number_cell(ref, value, style)
        if isinstance(value, datetime.datetime):
            fmt_style = style if "format" in self._style_specs.get(style, {}) else self.style("datetime")
            return number_cell(ref, excel_date(value), fmt_style)
        if isinstance(value, datetime.date):
            fmt_style = style if "format" in self._style_specs.get(style, {}) else self.style("date")
            return number_cell(ref, excel_date(value), fmt_style)
        return text_cell(ref, str(value), style, self.quoted(style))

    def shown_width(self, value: Any, column: Column) -> int:
        """Roughly how wide ``value`` shows in ``column`` (for fitting the width)."""
        if isinstance(value, Styled):
            if value.style in ("title", "heading"):
                return 0  # titles spill over the empty cells beside them
            value = value.value
        elif column.convert is not None:
            value = column.convert(value)
        if value is None:
            return 0
        if isinstance(value, bool):
            return 2
        if isinstance(value, (int, float, Decimal)):
            return len(f"{value:,.2f}") if not isinstance(value, int) else len(f"{value:,}")
        if isinstance(value, datetime.datetime):
            return 16
        if isinstance(value, datetime.date):
            return 10
        return display_width(str(value))

    # --- sheets ------------------------------------------------------------------------
    def new_sheet(self, title: str) -> _StreamedSheet:
        title = sheet_title(title, self.workbook.sheetnames)
        sheet = _StreamedSheet(self.workbook, title, Path(self._tmp.name) / f"sheet{len(self.workbook.sheetnames)}.xml")
        self.workbook._add_sheet(sheet)
        return sheet

    def sheet(self, title: str, columns: Sequence[Column], **options: Any) -> SheetWriter:
        return SheetWriter(self, title, columns, **options)

    def save(self) -> None:
        self.workbook.properties.modified = datetime.datetime.now(tz=datetime.UTC).replace(tzinfo=None)
        with ZipFile(self.output, "w", ZIP_DEFLATED, allowZip64=True, compresslevel=ZIP_LEVEL) as archive:
            ExcelWriter(self.workbook, archive).save()
