"""Build (or rebuild) the demo city of SPEC §7. Safe to run again: it upserts by natural key."""

from __future__ import annotations

import random
import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import connection, transaction

from wuqiang.core.demo import entries, hierarchy, users, years
from wuqiang.scoring.rollup import rollup_year

DEMO_SEED = 2021


class Command(BaseCommand):
    help = "Seed the demo city: Zunyi's 14 counties, 200 townships, 1728 villages, years and users."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--reset-data", action="store_true",
            help="Delete and regenerate the demo years' pillar data (otherwise years that have data keep it).",
        )

    def handle(self, *args, **options) -> None:
        started = time.perf_counter()
        rng = random.Random(DEMO_SEED)
        with transaction.atomic():
            city = hierarchy.build_hierarchy(rng)
            built_years = years.build_years(city.municipality)
            users.build_users(city)
            built_entries = entries.build_entries(city, built_years, DEMO_SEED, reset=options["reset_data"])
        if connection.vendor == "postgresql":
            # Fresh statistics after a bulk load; without them the first roll-up plans its joins
            # for empty tables and runs ten times slower.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        # Score the demo years now, so the dashboards have something to show at once.
        for year in sorted(built_years, key=lambda y: y.year):
            rollup_year(year.year, municipality_code=city.municipality.code, force=True)
        elapsed = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Seeded {city.municipality.name}: {len(city.counties)} counties, {len(city.townships)} townships, "
                f"{len(city.villages)} villages, years {', '.join(str(y.year) for y in built_years)} "
                f"{built_entries} new pillar entries, in {elapsed:.1f} s."
            )
        )
        county, township = city.counties[0], city.townships[0]
        reviewer, clerk = users.reviewer_username(county.code), users.clerk_username(township.code)
        self.stdout.write(
            f"Demo logins (every account's password is '{settings.DEMO_PASSWORD}'):\n"
            f"  municipal admin:  {users.ADMIN_USERNAME}\n"
            f"  county reviewer:  r<county code>, e.g. {reviewer} ({county.name})\n"
            f"  township clerk:   c<township code>, e.g. {clerk} ({township.name})"
        )
