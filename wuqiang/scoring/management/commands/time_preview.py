"""Time a what-if scheme preview on a municipality's year, the way the scheme page runs one
(from the stored results, or with ``--full`` the whole roll-up in a rolled-back savepoint). Operators use it to size the
hardware; nothing stored changes."""

from __future__ import annotations

import time
from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError

from wuqiang.regions.models import Municipality
from wuqiang.scoring.models import SchemePreview
from wuqiang.scoring.previews import scheme_preview_run
from wuqiang.scoring.services import scheme_for


class Command(BaseCommand):
    help = "Time a what-if scheme preview (the exemplary line raised by one point, or --points) on a year."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--municipality", help="division code (default: the first municipality)")
        parser.add_argument("--repeat", type=int, default=3)
        parser.add_argument("--points", action="store_true",
                            help="move a point from O1 to O2 instead of raising the exemplary line")
        parser.add_argument("--full", action="store_true",
                            help="run the whole roll-up in a rolled-back savepoint, as a preview that "
                                 "switches a veto item does")

    def handle(self, *args, year: int, municipality: str | None, repeat: int, points: bool, full: bool,
               **options) -> None:
        city = (Municipality.objects.filter(code=municipality) if municipality
                else Municipality.objects.order_by("code")).first()
        if city is None:
            raise CommandError("No such municipality.")
        scheme = scheme_for(municipality_id=city.pk, year=year)
        thresholds = {f: str(getattr(scheme, f)) for f in
                      ("exemplary_total", "exemplary_pillar_min", "pass_total", "basic_total")}
        thresholds["exemplary_total"] = str(min(Decimal(100), scheme.exemplary_total + 1))
        indicators = {}
        if points:
            o1, o2 = scheme.indicators.get(code="O1"), scheme.indicators.get(code="O2")
            thresholds["exemplary_total"] = str(scheme.exemplary_total)
            indicators = {"O1": {"points": str(o1.points - 1), "params": o1.params},
                          "O2": {"points": str(o2.points + 1), "params": o2.params}}
        proposal = {"indicators": indicators, "vetoes": {v.code: v.enabled for v in scheme.vetoes.all()},
                    "thresholds": thresholds}
        for _n in range(repeat):
            preview = SchemePreview.objects.create(municipality=city, year_id=year, proposal=proposal)
            started = time.perf_counter()
            preview = scheme_preview_run(preview, full=full)
            wall = time.perf_counter() - started
            self.stdout.write(f"{city.code} {year}: {preview.result.get('villages')} villages, "
                              f"{preview.result.get('changed')} change grade, {wall:.2f} s "
                              f"({preview.result.get('method')})")
            preview.delete()
