"""``manage.py benchmark_report``: time the Excel report, and writing the same cells with no database.

Either an existing unit (``--scope 520300 --year 2021``: the seeded demo city), or
``--villages N``: benchmark_rollup's synthetic city of N villages, built with full pillar
data, scored by the roll-up, reported on, then removed (``--keep`` leaves it, ``--reuse``
takes one left by an earlier run).

The report runs as ``export_report`` in a child process, so the peak memory printed (the
child's maximum resident set) is the report's alone. The child records each sheet's
columns, row count and first rows; the same number of rows is then written again, cycling
through those rows, with no database at all:

1. by this app's row writer (``wuqiang.reports.xlsx``): the report's own writing cost, so
   the ratio shows what reading the database and assembling the rows add;
2. by openpyxl's write-only ``append`` as its documentation shows it (a ``WriteOnlyCell``
   with a number format for each formatted value): the limit a plain openpyxl export has.
"""

from __future__ import annotations

import datetime
import os
import pickle
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from wuqiang.regions.models import Municipality
from wuqiang.reports import selectors
from wuqiang.reports.xlsx import FORMULA_TRIGGERS, STYLES, Column, Kind, Styled, XlsxBook

SAMPLE_ROWS = 1000


@dataclass
class RecordedSheet:
    """What the replay needs of one sheet: its columns and options, how many rows, and the
    first rows as they are written (choice labels and yes/no already applied)."""

    title: str
    columns: list[tuple[str, str, str, float | None]]
    options: dict[str, Any]
    converters: list[Any] = field(default_factory=list, repr=False)
    count: int = 0
    sample: list[list[Any]] = field(default_factory=list)

    def add(self, values: Any) -> None:
        self.count += 1
        if self.count <= SAMPLE_ROWS:
            self.sample.append([v if v is None or c is None else c(v)
                                for v, c in zip(values, self.converters, strict=False)])

    @property
    def cells(self) -> int:
        """Cells written (empty ones are not), estimated from the sampled rows."""
        if not self.sample:
            return 0
        filled = sum(v is not None for row in self.sample for v in row)
        return round(filled * self.count / len(self.sample))

    def __getstate__(self) -> dict:
        return {**self.__dict__, "converters": []}


class Recorder:
    """The ``tap`` of an ``XlsxBook``: records every sheet written (see ``export_report --record``)."""

    def __init__(self) -> None:
        self.sheets: list[RecordedSheet] = []

    def sheet(self, title: str, columns: list[Column], **options: Any):
        sheet = RecordedSheet(title, [(str(c.header), c.kind, c.style, c.width) for c in columns], options,
                              converters=[c.convert for c in columns])
        self.sheets.append(sheet)
        return sheet.add


@dataclass
class Timing:
    seconds: float  # wall clock
    cpu: float  # this process's CPU time: what a busy machine does not inflate

    def __str__(self) -> str:
        return f"{self.seconds:.2f} s ({self.cpu:.2f} s CPU)"


def _timed(function, *args) -> Timing:
    started, cpu_started = time.perf_counter(), time.process_time()
    function(*args)
    return Timing(time.perf_counter() - started, time.process_time() - cpu_started)


def replay_with_row_writer(sheets: list[RecordedSheet], output: Path) -> Timing:
    return _timed(_replay_with_row_writer, sheets, output)


def replay_with_openpyxl(sheets: list[RecordedSheet], output: Path) -> Timing:
    return _timed(_replay_with_openpyxl, sheets, output)


def _replay_with_row_writer(sheets: list[RecordedSheet], output: Path) -> None:
    with XlsxBook(output) as book:
        book.set_yes_no("是", "否")
        for recorded in sheets:
            columns = [Column(header, kind, style, width) for header, kind, style, width in recorded.columns]
            sheet = book.sheet(recorded.title, columns, **recorded.options)
            sample = recorded.sample or [[]]
            n = len(sample)
            for i in range(recorded.count):
                sheet.append(sample[i % n])
            sheet.close()
        book.save()


def _replay_with_openpyxl(sheets: list[RecordedSheet], output: Path) -> None:
    """The same rows through openpyxl's own write-only path."""
    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    for recorded in sheets:
        ws = workbook.create_sheet(recorded.title[:31])
        if recorded.options.get("freeze"):
            ws.freeze_panes = recorded.options["freeze"]
        formats = [STYLES[style].get("format") if kind in (Kind.NUMBER, Kind.DATE) else None
                   for _header, kind, style, _width in recorded.columns]
        if recorded.options.get("header", True):
            header = []
            for name, *_rest in recorded.columns:
                cell = WriteOnlyCell(ws, name)
                cell.font = bold
                header.append(cell)
            ws.append(header)
        sample = recorded.sample or [[]]
        n = len(sample)
        for i in range(recorded.count):
            row = []
            for value, number_format in zip(sample[i % n], formats, strict=False):
                if isinstance(value, Styled):
                    value, number_format = value.value, STYLES[value.style].get("format")
                if isinstance(value, datetime.datetime) and value.tzinfo is not None:
                    value = timezone.localtime(value).replace(tzinfo=None)  # openpyxl refuses aware times
                if value is None:
                    row.append(None)
                elif number_format:
                    cell = WriteOnlyCell(ws, value)
                    cell.number_format = number_format
                    row.append(cell)
                elif isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
                    cell = WriteOnlyCell(ws, value)
                    cell.data_type = "s"
                    cell.quotePrefix = True
                    row.append(cell)
                else:
                    row.append(value)
            ws.append(row)
    workbook.save(output)


class Command(BaseCommand):
    help = "Time the Excel report (seconds, peak memory) against writing the same cells with no database."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--scope", help="an existing unit's division code, e.g. 520300")
        parser.add_argument("--year", type=int, help="with --scope")
        parser.add_argument("--villages", type=int, help="build benchmark_rollup's synthetic city of N villages")
        parser.add_argument("--keep", action="store_true", help="leave the synthetic city in place")
        parser.add_argument("--reuse", action="store_true", help="use a synthetic city left by --keep")
        parser.add_argument("--lang", default=settings.LANGUAGE_CODE)
        parser.add_argument("--no-openpyxl", action="store_true", help="skip the (slow) plain-openpyxl replay")

    def handle(self, *args, scope: str | None, year: int | None, villages: int | None, keep: bool, reuse: bool,
               lang: str, no_openpyxl: bool, **options) -> None:
        from wuqiang.scoring.management.commands import benchmark_rollup

        synthetic = villages is not None
        if synthetic:
            scope, year = benchmark_rollup.MUNICIPALITY, benchmark_rollup.YEAR
            self.build_synthetic(villages, reuse)
        elif not (scope and year):
            raise CommandError("Give --scope and --year, or --villages.")
        try:
            self.measure(scope, year, lang, no_openpyxl)
        finally:
            if synthetic and not keep:
                benchmark_rollup.Command().cleanup()

    def build_synthetic(self, villages: int, reuse: bool) -> None:
        from wuqiang.scoring.management.commands import benchmark_rollup
        from wuqiang.scoring.rollup import rollup_year

        rollup = benchmark_rollup.Command(stdout=self.stdout, stderr=self.stderr)
        exists = Municipality.objects.filter(code=benchmark_rollup.MUNICIPALITY).exists()
        if exists and reuse:
            self.stdout.write("Reusing the synthetic city left by an earlier run.")
            return
        if exists:
            rollup.cleanup()
        started = time.perf_counter()
        rollup.build(villages)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        result = rollup_year(benchmark_rollup.YEAR)
        self.stdout.write(f"Built and scored {result.villages:,} synthetic villages in "
                          f"{time.perf_counter() - started:.0f} s.")

    def measure(self, scope: str, year: int, lang: str, no_openpyxl: bool) -> None:
        with tempfile.TemporaryDirectory(prefix="wuqiang-bench-") as tmp:
            report_path, record, log = Path(tmp) / "report.xlsx", Path(tmp) / "rows.pickle", Path(tmp) / "child.log"
            command = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), "export_report",
                       "--year", str(year), "--scope", scope, "--output", str(report_path), "--lang", lang,
                       "--record", str(record)]
            with log.open("wb") as out:
                child = subprocess.Popen(command, cwd=settings.BASE_DIR, env=os.environ.copy(), stdout=out,
                                         stderr=subprocess.STDOUT)
                _pid, status, usage = os.wait4(child.pid, 0)
                child.returncode = os.waitstatus_to_exitcode(status)
            if child.returncode != 0:
                raise CommandError(f"export_report failed:\n{log.read_text()[-3000:]}")
            with record.open("rb") as recorded_file:
                recorded = pickle.load(recorded_file)  # written a moment ago by our own child process
            sheets: list[RecordedSheet] = recorded["sheets"]
            report = Timing(recorded["seconds"], recorded["cpu"])
            peak = usage.ru_maxrss / 1024
            rows = sum(s.count for s in sheets)
            cells = sum(s.cells for s in sheets)
            operator = selectors.Operator()
            covered = selectors.villages_in(operator, selectors.visible_unit_or_404(operator, scope))
            load = os.getloadavg()[0]
            self.stdout.write(self.style.SUCCESS(
                f"Report of {scope} for {year} ({covered:,} villages, {connection.vendor}): {report}, peak memory "
                f"{peak:.0f} MiB (max RSS of the export_report process), {len(sheets)} sheets, {rows:,} rows, "
                f"about {cells:,} cells, file {report_path.stat().st_size / 2**20:.1f} MiB. "
                f"(Load average {load:.1f} on {os.cpu_count()} CPUs; the CPU time excludes the database server's.)"))
            ours = replay_with_row_writer(sheets, Path(tmp) / "replay.xlsx")
            self.stdout.write(f"Same cells, no database, this app's row writer: {ours} — report / writer = "
                              f"{report.seconds / ours.seconds:.2f}× wall, {report.cpu / ours.cpu:.2f}× CPU.")
            if not no_openpyxl:
                stock = replay_with_openpyxl(sheets, Path(tmp) / "stock.xlsx")
                self.stdout.write(f"Same cells, no database, openpyxl write-only append: {stock} — report / openpyxl "
                                  f"= {report.seconds / stock.seconds:.2f}× wall, {report.cpu / stock.cpu:.2f}× CPU "
                                  f"(target ≤ 1.3×).")
