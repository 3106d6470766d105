"""Build (or rebuild) the demo city of SPEC §7. Safe to run again: it upserts by natural key and
keeps the pillar data already there (``--reset-data`` regenerates it)."""

from __future__ import annotations

import random
import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import connection, transaction

from support.demo import county_incomes
from support.models import CountyIncome
from wuqiang.accounts.models import User
from wuqiang.core.demo import hierarchy, users
from wuqiang.core.demo.entries import build_entries, build_world, delete_entries, years_with_entries
from wuqiang.core.demo.tickets import build_tickets
from wuqiang.core.demo.years import DATA_YEARS, DEMO_YEARS, build_years
from wuqiang.entries.tallies import refresh_tallies
from wuqiang.regions.selectors import year_settings
from wuqiang.scoring.services import rollup_now

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
        with transaction.atomic():
            city = hierarchy.build_hierarchy(random.Random(DEMO_SEED))
            users.build_users(city)
            admin = User.objects.get(username=users.ADMIN_USERNAME)
            build_years(city.municipality, admin)
            CountyIncome.objects.bulk_create(
                county_incomes(city, DEMO_SEED, list(DEMO_YEARS)), update_conflicts=True,
                unique_fields=["county", "year"], update_fields=["rural_income_per_capita"],
            )
            if options["reset_data"]:
                delete_entries(city, DATA_YEARS)
            missing = set(DATA_YEARS) - years_with_entries(city, DATA_YEARS)
            built = 0
            if missing:
                world = build_world(city, DEMO_SEED, list(DATA_YEARS))
                built = build_entries(world, write_years=missing)
            build_tickets(city, DEMO_SEED)
        if connection.vendor == "postgresql":
            # Fresh statistics after a bulk load; without them the first roll-up plans its joins
            # for empty tables and runs ten times slower.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        # The stored sheet counts of every year, published ones included (whose roll-up is frozen).
        for year in DATA_YEARS:
            refresh_tallies([county.pk for county in city.counties], year)
        # Score the demo years now, each recorded as a finished run, so the dashboards have
        # something to show at once (the published years are frozen as they were published).
        for year in DATA_YEARS:
            with transaction.atomic():
                rollup_now(year=year_settings(year=year, municipality_id=city.municipality.pk))
        elapsed = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Seeded {city.municipality.name}: {len(city.counties)} counties, {len(city.townships)} townships, "
                f"{len(city.villages)} villages, years {', '.join(str(y) for y in DEMO_YEARS)}: "
                f"{built} new pillar entries, in {elapsed:.1f} s."
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

