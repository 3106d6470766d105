"""``manage.py export_report --year Y [--scope CODE] --output FILE.xlsx [--lang zh-hans|en]``.

Writes the assessment report of a unit (the municipality when there is only one) for a year,
as an operator on the server sees it (everything), with a progress bar on a terminal.
"""

from __future__ import annotations

import argparse
import json
import pickle
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.http import Http404

from wuqiang.regions.models import AssessmentYear, Municipality
from wuqiang.reports import selectors, services
from wuqiang.reports.models import ExportKind

BAR = 30


class Command(BaseCommand):
    help = "Write the Excel assessment report of a unit and year to a file."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--scope", help="division code of the municipality, county, township or village "
                                            "(default: the only municipality)")
        parser.add_argument("--output", required=True, help="the .xlsx file to write")
        parser.add_argument("--lang", choices=[code for code, _name in settings.LANGUAGES],
                            default=settings.LANGUAGE_CODE)
        parser.add_argument("--demonstration", action="store_true", help="the demonstration list only")
        # For benchmark_report: where to write figures and the rows seen, to replay them without a database.
        parser.add_argument("--record", help=argparse.SUPPRESS)

    def handle(self, *args, year: int, scope: str | None, output: str, lang: str, demonstration: bool,
               record: str | None, **options) -> None:
        operator = selectors.Operator()
        if not AssessmentYear.objects.filter(pk=year).exists():
            raise CommandError(f"There is no {year} assessment year.")
        unit = self._unit(operator, scope)
        output_path = Path(output)
        if output_path.suffix.lower() != ".xlsx":
            raise CommandError("--output must name an .xlsx file.")
        recorder = None
        if record:
            from wuqiang.reports.management.commands.benchmark_report import Recorder

            recorder = Recorder()
        started, cpu_started = time.perf_counter(), time.process_time()
        result = services.export_to_file(
            actor=operator, unit=unit, year=year, output=str(output_path), language=lang, tap=recorder,
            kind=ExportKind.DEMONSTRATION if demonstration else ExportKind.REPORT,
            progress=self._bar if self.stdout.isatty() else None)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
        if self.stdout.isatty():
            self._bar(100, "")
            self.stdout.write("")
        if record:
            with open(record, "wb") as out:
                pickle.dump({"seconds": seconds, "cpu": cpu, "sheets": recorder.sheets}, out)
        self.stdout.write(self.style.SUCCESS(
            f"Wrote {output_path}: {unit.name} ({unit.code}) {year}, {result.sheets} sheets, {result.rows:,} rows, "
            f"{output_path.stat().st_size / 2**20:.1f} MiB in {seconds:.2f} s."))
        if options["verbosity"] > 1:
            self.stdout.write(json.dumps({"seconds": seconds, "rows": result.rows, "sheets": result.sheets}))

    def _unit(self, operator: selectors.Operator, scope: str | None):
        if scope:
            try:
                return selectors.visible_unit_or_404(operator, scope)
            except Http404:
                raise CommandError(f"No municipality, county, township or village has the code {scope}.") from None
        municipalities = list(Municipality.objects.all()[:2])
        if len(municipalities) != 1:
            raise CommandError("Give --scope: there is not exactly one municipality.")
        return selectors.visible_unit_or_404(operator, municipalities[0].code)

    def _bar(self, percent: int, message: str) -> None:
        filled = BAR * percent // 100
        line = f"\r[{'#' * filled}{'.' * (BAR - filled)}] {percent:3d}% {message[:40]:<40}"
        self.stdout.write(line, ending="")
        self.stdout.flush()

