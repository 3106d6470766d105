"""``manage.py rollup --year Y [--county CODE]``: recompute scorecards in the foreground."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, reset_queries
from django.test.utils import CaptureQueriesContext

from wuqiang.scoring.rollup import RollupRefused, rollup_year


class Command(BaseCommand):
    help = "Recompute the stored scorecards of an assessment year (or one county of it) and print the timing."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--county", help="division code of one county to recompute")
        parser.add_argument("--force", action="store_true", help="recompute even a published year")

    def handle(self, *args, year: int, county: str | None, force: bool, **options) -> None:
        reset_queries()
        with CaptureQueriesContext(connection) as queries:
            try:
                result = rollup_year(year, county_code=county, force=force)
            except RollupRefused as refused:
                raise CommandError(f"{refused} Use --force to recompute it.") from None
        scope = f"county {county}" if county else "all counties"
        self.stdout.write(self.style.SUCCESS(
            f"Rolled up {year} ({scope}): {result.villages} villages, {result.statements} statements, "
            f"{len(queries)} queries, {result.seconds:.2f} s."
        ))
        if result.skipped:
            self.stdout.write(self.style.WARNING(f"Indicators without a function: {', '.join(result.skipped)}"))
