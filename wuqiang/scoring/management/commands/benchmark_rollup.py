"""``manage.py benchmark_rollup --villages N``: time the roll-up on a synthetic city.

Builds municipality 990000 with N villages (15 per township, 100 townships per county) and a
full year of approved pillar data for each (plus last year's economy for the growth
indicator) — on PostgreSQL with set-based SQL (``_synthetic_sql.py``: one INSERT … SELECT over
generate_series per table), elsewhere with the ORM — then runs ``rollup_year`` for that year and
the shipped reference query (``_reference_sql.py``: per-village totals from the same tables)
interleaved over ``--rounds`` rounds (3), printing for each the seconds, the ratio, the roll-up's
statements, peak Python memory, the peak memory of the database backend that ran the roll-up
and the bytes PostgreSQL spilled to temporary files (pg_stat_database.temp_bytes before and
after), then deletes everything it built (on PostgreSQL as a bulk removal, ``bulk_delete``: the
foreign keys pointing at its entries and regions are dropped for the DELETEs and recreated,
validated, afterwards, instead of one deferred check per deleted row and key at COMMIT).
The synthetic year is 2090 (and 2089), so the demo years are untouched; every village in the
database is scored for 2090, so run it on a database without other villages for a clean figure.
``--build-only`` stops after the build line (and removes the city unless ``--keep``); ``--reuse``
times a city kept by an earlier run instead of building one; ``-v 2`` prints the build's
statements with their seconds.

A roll-up replaces its rows, leaving the old ones dead until PostgreSQL vacuums them. Where
autovacuum is off (as on some test machines; production keeps it on), the result tables are
vacuumed between rounds, untimed, as autovacuum would between two nightly runs: otherwise each
round reads and checks the dead rows of all the rounds before it, and is slower than the last.

The backend's peak is the high-water mark of its resident set (``VmHWM`` in
``/proc/<pid>/status`` of ``pg_backend_pid()``), so each roll-up runs on a fresh connection and
the figure is that roll-up's own; it counts the shared buffers the backend touched as well as
its private memory (sorts, hashes up to ``work_mem``, printed beside it). It needs the database
on this machine and /proc readable (run as the postgres user or root); otherwise, and on
SQLite, it prints n/a. On PostgreSQL the build is a bulk load: see ``_synthetic_sql``. It locks
the tables it fills until it commits, so run the benchmark on a database nobody else is using.
"""

from __future__ import annotations

import datetime
import os
import random
import resource
import time
import tracemalloc
from contextlib import nullcontext
from decimal import Decimal

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from economy.models import EconomyProfile
from governance.models import GovernanceProfile
from organizations.choices import MeetingKind
from organizations.models import BranchProfile, MajorMatter, Meeting, WeakCase
from support.models import SupportProfile, TownshipFacilities
from talent.choices import CadrePost, Education, SentDownKind, TraineeKind
from talent.models import Cadre, SentDown, TalentProfile, Trainee
from wuqiang.entries.models import Entry, EntryState, EntryTally, Pillar, entry_sort_code
from wuqiang.regions.models import AssessmentYear, County, Municipality, Township, Village
from wuqiang.scoring.management.commands import _synthetic_sql as synthetic_sql
from wuqiang.scoring.management.commands._reference_sql import run_reference
from wuqiang.scoring.models import (
    CountyScorecard,
    DemonstrationNomination,
    MunicipalScorecard,
    TownshipScorecard,
    VillageIndicators,
    VillagePath,
    VillageScorecard,
    VillageVeto,
)
from wuqiang.scoring.rollup import rollup_year
from wuqiang.scoring.sql import table

MUNICIPALITY = "990000"
YEAR = 2090
VILLAGES_PER_TOWNSHIP = 15
TOWNSHIPS_PER_COUNTY = 100
CHUNK = 3000  # villages built per round, to keep memory flat
RECORDS = (Meeting, MajorMatter, WeakCase, Cadre, SentDown, Trainee)
PROFILES = (BranchProfile, TalentProfile, EconomyProfile, GovernanceProfile, SupportProfile, TownshipFacilities)
# The synthetic city's regions, removed in this order (each by the lookup to the city's code).
REGIONS = {Village: "county__municipality__code", Township: "county__municipality__code",
           County: "municipality__code"}


def _temp_bytes() -> int | None:
    """Bytes this database has spilled to temporary files so far (PostgreSQL), after flushing
    this connection's own statistics."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_force_next_flush()")
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute("SELECT temp_bytes FROM pg_stat_database WHERE datname = current_database()")
        return int(cursor.fetchone()[0])


def _mib(value: int | None) -> str:
    return "n/a" if value is None else f"{value / 2**20:.0f} MiB"


def _backend_proc(name: str) -> str | None:
    """``/proc/<pid>/<name>`` of this connection's PostgreSQL backend, or None: another
    database, or a backend on another machine or out of reach of /proc."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = int(cursor.fetchone()[0])
    try:
        with open(f"/proc/{pid}/comm", encoding="ascii", errors="replace") as comm:
            if comm.read().strip() != "postgres":
                return None  # a process of this machine that happens to have that id
        with open(f"/proc/{pid}/{name}", encoding="ascii", errors="replace") as file:
            return file.read()
    except OSError:
        return None


def _backend_peak() -> int | None:
    """Peak resident set (VmHWM, bytes) of this connection's backend over its life, or None."""
    status = _backend_proc("status")
    for line in (status or "").splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return None


def _backend_cpu() -> float | None:
    """CPU seconds (user + system) this connection's backend has used, or None. Its parallel
    workers are other processes and are not counted."""
    stat = _backend_proc("stat")
    if not stat:
        return None
    fields = stat.rsplit(")", 1)[1].split()  # after "pid (comm)": state is field 3, utime 14, stime 15
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _work_mem() -> str:
    """The roll-up's work_mem: it sets ``ROLLUP_WORK_MEM`` for its own transaction."""
    return settings.ROLLUP_WORK_MEM if connection.vendor == "postgresql" else "n/a"


class Command(BaseCommand):
    help = "Time the roll-up on a synthetic city of N villages (built and removed by the command)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--villages", type=int, default=1728)
        parser.add_argument("--keep", action="store_true", help="leave the synthetic city in place")
        parser.add_argument("--rounds", type=int, default=3, help="roll-up and reference query, interleaved")
        parser.add_argument("--reuse", action="store_true", help="time the city an earlier --keep left")
        parser.add_argument("--build-only", action="store_true", help="build the city and time only that")

    def handle(self, *args, villages: int, keep: bool, rounds: int, build_only: bool = False, reuse: bool = False,
               **options) -> None:
        postgres = connection.vendor == "postgresql"
        limit = 999 * TOWNSHIPS_PER_COUNTY * VILLAGES_PER_TOWNSHIP if postgres else 148_500
        if villages < 1 or villages > limit:
            raise CommandError(f"--villages must be between 1 and {limit:,}.")
        if reuse:
            villages = Village.objects.filter(county__municipality__code=MUNICIPALITY).count()
            if not villages:
                raise CommandError("No synthetic city to reuse: run with --keep first.")
            self.stdout.write(f"Reusing the synthetic city of {villages} villages.")
            self.time_rounds(villages, keep=True, rounds=rounds)
            return
        if Municipality.objects.filter(code=MUNICIPALITY).exists():
            self.stdout.write("Removing a synthetic city left by an earlier run…")
            self.cleanup()
        started, cpu = time.perf_counter(), _backend_cpu()
        if postgres:
            with transaction.atomic():
                for year in (YEAR - 1, YEAR):
                    AssessmentYear.objects.get_or_create(year=year)
                synthetic_sql.build(villages, municipality_code=MUNICIPALITY, year=YEAR,
                                    timings=self.statement_timing if options["verbosity"] >= 2 else None)
        else:
            self.build(villages)
        how = "set-based SQL" if postgres else "the ORM"
        if cpu is not None and (after := _backend_cpu()) is not None:
            how += f"; database backend CPU {after - cpu:.1f} s"
        self.stdout.write(f"Built {villages} villages with data in {time.perf_counter() - started:.1f} s ({how}).")
        if build_only:
            if not keep:
                self.cleanup()
            return
        self.time_rounds(villages, keep=keep, rounds=rounds)

    def time_rounds(self, villages: int, *, keep: bool, rounds: int) -> None:
        city_pk = Municipality.objects.get(code=MUNICIPALITY).pk
        try:
            ratios = []
            for n in range(1, rounds + 1):
                if n > 1:
                    self.vacuum_if_autovacuum_is_off()
                rollup, reference = self.measure_rollup(), self.measure_reference(city_pk)
                ratio = rollup["seconds"] / reference["seconds"] if reference["seconds"] else float("inf")
                ratios.append(ratio)
                self.stdout.write(
                    f"round {n}: roll-up {rollup['seconds']:.2f} s ({rollup['statements']} roll-up statements, "
                    f"{rollup['queries']} queries, peak Python {rollup['peak'] / 2**20:.1f} MiB, "
                    f"peak backend {_mib(rollup['backend'])} ({_mib(rollup['backend_before'])} before, "
                    f"work_mem {rollup['work_mem']}), "
                    f"temp {_mib(rollup['temp'])}); reference {reference['seconds']:.2f} s "
                    f"({reference['villages']} villages, temp {_mib(reference['temp'])}); ratio {ratio:.2f}")
            if not ratios:
                return
            rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            city = MunicipalScorecard.objects.get(year_id=YEAR, municipality__code=MUNICIPALITY)
            self.stdout.write(self.style.SUCCESS(
                f"Roll-up of {villages} villages on {connection.vendor}: median ratio to the reference "
                f"{sorted(ratios)[len(ratios) // 2]:.2f} over {rounds} rounds (process max RSS {rss:.0f} MiB); "
                f"mean total {city.mean_total}, {city.n_exemplary} exemplary."
            ))
        finally:
            if not keep:
                self.cleanup()

    def vacuum_if_autovacuum_is_off(self) -> None:
        if connection.vendor != "postgresql" or connection.in_atomic_block:
            return
        with connection.cursor() as cursor:
            cursor.execute("SHOW autovacuum")
            if cursor.fetchone()[0] == "on":
                return
            tables = [table(model) for model in (VillageIndicators, VillageScorecard, VillageVeto, VillagePath,
                                                 TownshipScorecard)]
            started = time.perf_counter()
            cursor.execute(f"VACUUM {', '.join(tables)}")
        self.stdout.write(f"(autovacuum is off: vacuumed the result tables between rounds, untimed, "
                          f"{time.perf_counter() - started:.1f} s)")

    def statement_timing(self, sql: str, seconds: float) -> None:
        self.stdout.write(f"  {seconds:7.2f} s  {' '.join(sql.split())[:140]}")

    def measure_rollup(self) -> dict:
        # VmHWM is the high-water mark of the backend's whole life: a fresh connection (Django
        # reconnects on the next query) makes it this roll-up's own. Not inside a transaction.
        if not connection.in_atomic_block:
            connection.close()
        work_mem, temp, backend_before = _work_mem(), _temp_bytes(), _backend_peak()
        tracemalloc.start()
        with CaptureQueriesContext(connection) as queries:
            result = rollup_year(YEAR, municipality_code=MUNICIPALITY)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        return {"seconds": result.seconds, "statements": result.statements, "queries": len(queries),
                "peak": peak, "backend": _backend_peak(), "backend_before": backend_before, "work_mem": work_mem,
                "temp": _temp_bytes() - temp if temp is not None else None}

    def measure_reference(self, city_pk: int) -> dict:
        temp = _temp_bytes()
        started = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            villages = run_reference(cursor, YEAR, city_pk)
        seconds = time.perf_counter() - started
        return {"seconds": seconds, "villages": villages,
                "temp": _temp_bytes() - temp if temp is not None else None}

    # --- building -------------------------------------------------------------------------
    @transaction.atomic
    def build(self, n: int) -> None:
        rng = random.Random(n)
        for year in (YEAR - 1, YEAR):
            AssessmentYear.objects.get_or_create(year=year)
        city = Municipality.objects.create(code=MUNICIPALITY, name="基准测试市")
        per_county = TOWNSHIPS_PER_COUNTY * VILLAGES_PER_TOWNSHIP
        n_counties = -(-n // per_county)
        counties = County.objects.bulk_create([County(code=f"9900{c + 1:02d}", name=f"基准{c + 1}县",
                                                      municipality=city) for c in range(n_counties)])
        n_townships = -(-n // VILLAGES_PER_TOWNSHIP)
        townships = Township.objects.bulk_create([
            Township(code=f"{counties[t // TOWNSHIPS_PER_COUNTY].code}{t % TOWNSHIPS_PER_COUNTY + 1:03d}",
                     name=f"基准{t + 1}镇", county=counties[t // TOWNSHIPS_PER_COUNTY])
            for t in range(n_townships)
        ], batch_size=5000)
        village_rows = Village.objects.bulk_create([
            Village(code=f"{townships[v // VILLAGES_PER_TOWNSHIP].code}{v % VILLAGES_PER_TOWNSHIP + 1:03d}",
                    name=f"基准{v + 1}村", township=townships[v // VILLAGES_PER_TOWNSHIP],
                    county_id=townships[v // VILLAGES_PER_TOWNSHIP].county_id)
            for v in range(n)
        ], batch_size=5000)
        facilities = Entry.objects.bulk_create([
            Entry(year_id=YEAR, pillar=Pillar.SUPPORT, township=t, county_id=t.county_id, state=EntryState.APPROVED,
                  sort_code=entry_sort_code(t.code, None))
            for t in townships
        ], batch_size=5000)
        TownshipFacilities.objects.bulk_create([
            TownshipFacilities(entry=e, canteen=True, toilet=True, bathhouse=rng.random() < 0.8, library=True,
                               activity_room=True, turnover_housing=rng.random() < 0.7) for e in facilities
        ], batch_size=5000)
        for start in range(0, n, CHUNK):
            self.build_chunk(rng, village_rows[start:start + CHUNK])

    def build_chunk(self, rng: random.Random, villages: list[Village]) -> None:
        def entries(year: int, pillar: str) -> list[Entry]:
            return Entry.objects.bulk_create([
                Entry(year_id=year, pillar=pillar, village=v, township_id=v.township_id, county_id=v.county_id,
                      sort_code=entry_sort_code(v.township.code, v.code),
                      state=EntryState.APPROVED if rng.random() < 0.95 else EntryState.SUBMITTED)
                for v in villages
            ], batch_size=5000)

        org, talent, economy, governance, support = (entries(YEAR, p) for p in Pillar.values)
        previous = entries(YEAR - 1, Pillar.ECONOMY)
        day = datetime.date(YEAR, 1, 1)
        BranchProfile.objects.bulk_create([
            BranchProfile(entry=e, households=500, grids=10, grids_with_party_group=rng.randint(7, 10),
                          linked_households=rng.randint(300, 500), secretary_is_director=rng.random() < 0.98,
                          standardisation_passed=rng.random() < 0.9, points_system=True,
                          competition_participated=True) for e in org
        ], batch_size=5000)
        kinds = [MeetingKind.PARTY_CONGRESS, MeetingKind.COMMITTEE, MeetingKind.GROUP, MeetingKind.PARTY_LECTURE,
                 MeetingKind.THEME_DAY]
        Meeting.objects.bulk_create([
            Meeting(entry=e, kind=rng.choice(kinds), date=day + datetime.timedelta(days=rng.randint(0, 360)))
            for e in org for _ in range(rng.randint(6, 14))
        ], batch_size=10000)
        MajorMatter.objects.bulk_create([
            MajorMatter(entry=e, title="事项", date=day, four_deliberations=rng.random() < 0.9, made_public=True)
            for e in org for _ in range(rng.randint(0, 3))
        ], batch_size=10000)
        WeakCase.objects.bulk_create([WeakCase(entry=e, reasons="—", status="rectifying")
                                      for e in org if rng.random() < 0.01], batch_size=10000)
        person = {"name": "某某", "gender": "male", "birth_year": 1980, "education": Education.COLLEGE}
        TalentProfile.objects.bulk_create([TalentProfile(entry=e, secretary_training_hours=Decimal(rng.choice(
            [16, 32, 40, 48]))) for e in talent], batch_size=5000)
        Cadre.objects.bulk_create([
            Cadre(entry=e, post=post, monthly_pay=rng.randint(3000, 6000), **person)
            for e in talent for post in (CadrePost.SECRETARY_DIRECTOR, CadrePost.MEMBER, CadrePost.MEMBER)
        ], batch_size=10000)
        SentDown.objects.bulk_create([
            SentDown(entry=e, kind=kind, sending_unit="某单位", start_date=datetime.date(YEAR - 1, 3, 1), **person)
            for e in talent for kind in rng.sample([SentDownKind.FIRST_SECRETARY, SentDownKind.TEAM_MEMBER,
                                                    SentDownKind.TEAM_MEMBER, SentDownKind.TECH_COMMISSIONER], 2)
        ], batch_size=10000)
        Trainee.objects.bulk_create([
            Trainee(entry=e, kind=kind, source="returnee", **person)
            for e in talent for kind in (TraineeKind.RESERVE, TraineeKind.RESERVE, TraineeKind.LEADER_COUNTY)
        ], batch_size=10000)
        income = {v.pk: Decimal(rng.randint(800, 20000)) / 100 for v in villages}
        EconomyProfile.objects.bulk_create([
            EconomyProfile(entry=e, operating_income=income[e.village_id], organisation_registered=True,
                           supervisory_board=True, disclosure_quarters=rng.randint(2, 4),
                           demonstration_base=rng.random() < 0.01) for e in economy
        ] + [EconomyProfile(entry=e, operating_income=income[e.village_id] * Decimal("0.95")) for e in previous],
            batch_size=5000)
        GovernanceProfile.objects.bulk_create([
            GovernanceProfile(entry=e, rules_revised_filed=True, council_villagers=True, council_ceremonies=True,
                              council_morality=rng.random() < 0.8, tool_points=True, tool_red_black=True,
                              tool_stewards=rng.random() < 0.5, households_visited=rng.randint(400, 500),
                              disputes=10, disputes_resolved=rng.randint(7, 10), one_stop_service=True,
                              model_selection_held=True, major_incident=rng.random() < 0.003) for e in governance
        ], batch_size=5000)
        SupportProfile.objects.bulk_create([
            SupportProfile(entry=e, secretary_annual_pay=rng.randint(45_000, 70_000), months_paid_on_time=12,
                           venue_area=Decimal(250), venue_standardised=True, paid_leave=True, health_checkup=True)
            for e in support
        ], batch_size=5000)

    # --- cleaning up ----------------------------------------------------------------------
    @transaction.atomic
    def cleanup(self) -> None:
        def table(model) -> str:
            return connection.ops.quote_name(model._meta.db_table)

        years = (YEAR - 1, YEAR)
        with connection.cursor() as cursor, (
                synthetic_sql.bulk_delete(cursor, [Entry._meta.db_table, *(m._meta.db_table for m in REGIONS)])
                if connection.vendor == "postgresql" else nullcontext()):
            counties = (f"SELECT id FROM {table(County)} WHERE municipality_id IN "
                        f"(SELECT id FROM {table(Municipality)} WHERE code = '{MUNICIPALITY}')")
            entry_ids = f"SELECT id FROM {table(Entry)} WHERE year_id IN (%s, %s) AND county_id IN ({counties})"
            for model in (*RECORDS, *PROFILES):
                cursor.execute(f"DELETE FROM {table(model)} WHERE entry_id IN ({entry_ids})", years)
            # Only the synthetic city's results: a demo city beside it keeps its own.
            villages = f"SELECT v.id FROM {table(Village)} v WHERE v.county_id IN ({counties})"
            for model in (VillageIndicators, VillageVeto, DemonstrationNomination):
                cursor.execute(f"DELETE FROM {table(model)} WHERE year_id IN (%s, %s) AND village_id IN ({villages})",
                               years)
            for model in (VillageScorecard, TownshipScorecard, CountyScorecard, MunicipalScorecard):
                cursor.execute(f"DELETE FROM {table(model)} WHERE year_id IN (%s, %s) AND municipality_id IN "
                               f"(SELECT id FROM {table(Municipality)} WHERE code = %s)", (*years, MUNICIPALITY))
            cursor.execute(f"DELETE FROM {table(Entry)} WHERE id IN ({entry_ids})", years)
            cursor.execute(f"DELETE FROM {table(EntryTally)} WHERE county_id IN ({counties})")
            for model in REGIONS:
                model.objects.filter(**{REGIONS[model]: MUNICIPALITY})._raw_delete(connection.alias)
            # Its schemes, year settings and runs go with it (CASCADE).
            Municipality.objects.filter(code=MUNICIPALITY).delete()
            if not Entry.objects.filter(year_id__in=years).exists():
                AssessmentYear.objects.filter(year__in=years).delete()
