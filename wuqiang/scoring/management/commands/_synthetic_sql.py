"""The synthetic city of ``benchmark_rollup`` built with set-based SQL on PostgreSQL: one
``INSERT … SELECT`` per table over ``generate_series`` and the rows already inserted, so that
building N villages costs a few statements whatever N is. The values follow the ORM builder's
distributions (the same shares of approved entries, meetings per village and so on), drawn with
``random()`` after ``setseed`` so that a run is repeatable.

Columns a statement does not name get the model field's default (or NULL when the field allows
it), so a new non-null field with a default needs no change here.

The build is a bulk load and is written as one: it runs in the caller's transaction with
``synchronous_commit`` off and more ``work_mem``/``maintenance_work_mem``, and the tables it
fills most (villages, entries, every profile and record list) lose their foreign keys, their
secondary indexes and the primary keys no other table's foreign key needs for the INSERTs
(``bulk_load``). Their definitions are read from the catalogue first (``pg_get_constraintdef``,
``pg_indexes``) and recreated from that DDL after the INSERTs, so the schema is the same
afterwards, and every row is checked: re-adding a foreign key validates the whole table in one
join instead of one deferred trigger per row at COMMIT (which was half the build's time), and
creating an index sorts once instead of inserting row by row (a unique index or primary key
checks uniqueness as before). Unique and check constraints, and the primary keys of villages
and entries, stay in place throughout. The DDL locks those tables until COMMIT: run the
benchmark on a database nobody else is using.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection
from django.db.models import Model

VILLAGES_PER_TOWNSHIP = 15
TOWNSHIPS_PER_COUNTY = 100
# Two sent-down cadres per village drawn without replacement from first secretary, team member,
# team member, tech commissioner (the ORM builder's rng.sample(…, 2)): the six pairs of those
# four, one drawn per village, instead of sorting the four by random() for every village.
TWO_OF_FOUR = ("VALUES (0, 'first_secretary'), (0, 'team_member'), (1, 'first_secretary'), (1, 'team_member'), "
               "(2, 'first_secretary'), (2, 'tech_commissioner'), (3, 'team_member'), (3, 'team_member'), "
               "(4, 'team_member'), (4, 'tech_commissioner'), (5, 'team_member'), (5, 'tech_commissioner')")


def _table(model: type[Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def insert_select(cursor, model: type[Model], values: dict[str, str], source: str,
                  params: tuple[Any, ...] = (), *, into: str | None = None, returning: str = "") -> int:
    """``INSERT INTO model (…) SELECT …`` with ``values`` (column → SQL expression over
    ``source``, without placeholders: ``%%`` for a modulo) and every other column's default;
    ``params`` fill the placeholders of ``source``. With ``into``, the same statement also
    writes ``RETURNING returning`` of every inserted row into that (temporary) table. Returns
    the rows inserted."""
    columns, exprs, defaults = [], [], []
    for field in model._meta.concrete_fields:
        if field.primary_key and field.column not in values:
            continue  # identity column
        columns.append(connection.ops.quote_name(field.column))
        if field.column in values:
            exprs.append(values[field.column])
        elif field.has_default():
            exprs.append("%s")
            defaults.append(field.get_db_prep_save(field.get_default(), connection))
        elif field.null:
            exprs.append("NULL")
        elif getattr(field, "max_length", None) or field.get_internal_type() == "TextField":
            exprs.append("''")
        else:
            raise ValueError(f"{model.__name__}.{field.name} needs a value")
    sql = f"INSERT INTO {_table(model)} ({', '.join(columns)}) SELECT {', '.join(exprs)} FROM {source}"
    if into:
        sql = f"WITH inserted AS ({sql} RETURNING {returning}) INSERT INTO {into} SELECT * FROM inserted"
    cursor.execute(sql, (*defaults, *params))
    return cursor.rowcount


@contextmanager
def _timed(timings: Callable[[str, float], None] | None) -> Iterator[None]:
    if timings is None:
        yield
        return

    def wrapper(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            timings(sql, time.perf_counter() - started)

    with connection.execute_wrapper(wrapper):
        yield


@contextmanager
def bulk_load(cursor, tables: list[str]) -> Iterator[None]:
    """Drop the foreign keys and the secondary indexes (those that back no primary key, unique
    or exclusion constraint) of ``tables``, and their primary keys that no other table's
    foreign key needs, for the block, then recreate them from the definitions read before:
    primary keys and indexes first, then the foreign keys, each validated over the whole
    table. If the block raises, nothing is recreated: the caller's transaction rolls the DROPs
    back with everything else."""
    cursor.execute(
        "SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid), c.confrelid::regclass::text "
        "FROM pg_constraint c "
        "WHERE c.contype = 'f' AND c.conrelid = ANY(%s::regclass[]) ORDER BY 1, 2", [tables])
    foreign_keys = cursor.fetchall()
    # Primary keys that no foreign key of another table depends on (those of the tables here
    # are dropped first): their index is rebuilt by one sort instead of one insertion per row.
    cursor.execute(
        "SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid) FROM pg_constraint c "
        "WHERE c.contype = 'p' AND c.conrelid = ANY(%s::regclass[]) AND NOT EXISTS (SELECT 1 FROM pg_constraint f "
        "WHERE f.contype = 'f' AND f.confrelid = c.conrelid AND NOT f.conrelid = ANY(%s::regclass[])) ORDER BY 1",
        [tables, tables])
    primary_keys = cursor.fetchall()
    cursor.execute(
        "SELECT format('%%I.%%I', i.schemaname, i.indexname), i.indexdef FROM pg_indexes i "
        "WHERE format('%%I.%%I', i.schemaname, i.tablename)::regclass = ANY(%s::regclass[]) "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.contype IN ('p', 'u', 'x') "
        "AND c.conindid = format('%%I.%%I', i.schemaname, i.indexname)::regclass) ORDER BY 1", [tables])
    indexes = cursor.fetchall()
    quote = connection.ops.quote_name
    for table, name, _definition, _referenced in foreign_keys:
        cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {quote(name)}")
    for table, name, _definition in primary_keys:
        cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {quote(name)}")
    for name, _definition in indexes:
        cursor.execute(f"DROP INDEX {name}")
    yield
    for table, name, definition in primary_keys:
        cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {quote(name)} {definition}")
    for _name, definition in indexes:
        cursor.execute(definition)
    _add_foreign_keys(cursor, foreign_keys)


@contextmanager
def bulk_delete(cursor, tables: list[str]) -> Iterator[None]:
    """Drop the foreign keys that reference ``tables`` for the block, then recreate them from
    their definitions, each validated over its whole table. Deleting a row that other tables'
    keys point at queues one check per row and key until COMMIT (the synthetic city's entries
    alone are pointed at by 15 keys: minutes at 100,000 villages); validating each key once
    afterwards is one join of what is left. If the block raises, nothing is recreated: the
    caller's transaction rolls the DROPs back with everything else."""
    cursor.execute(
        "SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid), c.confrelid::regclass::text "
        "FROM pg_constraint c WHERE c.contype = 'f' AND c.confrelid = ANY(%s::regclass[]) ORDER BY 1, 2", [tables])
    foreign_keys = cursor.fetchall()
    for table, name, _definition, _referenced in foreign_keys:
        cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {connection.ops.quote_name(name)}")
    yield
    _add_foreign_keys(cursor, foreign_keys)


def _add_foreign_keys(cursor, foreign_keys: list[tuple[str, str, str, str]]) -> None:
    """Recreate ``(table, name, definition, referenced table)`` foreign keys, validating each."""
    quote = connection.ops.quote_name
    for table, name, definition, referenced in foreign_keys:
        # The validation is an anti-join of the table with the one it references; for a table
        # far smaller than that one (statistics as of the build's ANALYZE), probing that one's
        # key row by row beats hashing all of it.
        cursor.execute("SELECT (SELECT reltuples FROM pg_class WHERE oid = %s::regclass) * 20 "
                       "< (SELECT reltuples FROM pg_class WHERE oid = %s::regclass)", [table, referenced])
        probe = cursor.fetchone()[0]
        if probe:
            cursor.execute("SET LOCAL enable_hashjoin = off")
            cursor.execute("SET LOCAL enable_mergejoin = off")
        cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {quote(name)} {definition}")
        if probe:
            cursor.execute("SET LOCAL enable_hashjoin TO DEFAULT")
            cursor.execute("SET LOCAL enable_mergejoin TO DEFAULT")


def build(n: int, *, municipality_code: str, year: int,
          timings: Callable[[str, float], None] | None = None) -> None:
    """Counties, townships, villages, their approved entries and pillar rows for ``year`` (and
    last year's economy), in about twenty statements, as a bulk load (``bulk_load``) in the
    caller's transaction. ``timings(statement, seconds)``, if given, hears of every statement."""
    from economy.models import EconomyProfile
    from governance.models import GovernanceProfile
    from organizations.models import BranchProfile, MajorMatter, Meeting, WeakCase
    from support.models import SupportProfile, TownshipFacilities
    from talent.models import Cadre, SentDown, TalentProfile, Trainee
    from wuqiang.entries.models import TOWNSHIP_SHEET_MARK, VILLAGE_SHEET_MARK, Entry
    from wuqiang.regions.models import County, Municipality, Township, Village

    records = (Meeting, MajorMatter, WeakCase, Cadre, SentDown, Trainee)
    profiles = (BranchProfile, TalentProfile, EconomyProfile, GovernanceProfile, SupportProfile, TownshipFacilities)
    if not connection.in_atomic_block:
        raise RuntimeError("build() runs in the caller's transaction (transaction.atomic)")
    city = Municipality.objects.create(code=municipality_code, name="基准测试市")
    per_county = TOWNSHIPS_PER_COUNTY * VILLAGES_PER_TOWNSHIP
    n_counties, n_townships = -(-n // per_county), -(-n // VILLAGES_PER_TOWNSHIP)
    county, township = _table(County), _table(Township)
    bulk = [_table(model) for model in (Village, Entry, *records, *profiles)]
    with connection.cursor() as cursor, _timed(timings), bulk_load(cursor, bulk):
        cursor.execute("SET LOCAL synchronous_commit = off")
        cursor.execute("SET LOCAL work_mem = '256MB'")
        cursor.execute("SET LOCAL maintenance_work_mem = '1GB'")
        cursor.execute("SELECT setseed(%s)", [0.5])
        insert_select(cursor, County, {
            "code": "'99' || lpad(g::text, 4, '0')", "name": "'基准' || g || '县'",
            "municipality_id": str(int(city.pk)),
        }, "generate_series(1, %s) g", (n_counties,))
        cities_counties = f"(SELECT id, code FROM {county} WHERE municipality_id = {int(city.pk)})"
        insert_select(cursor, Township, {
            "code": f"c.code || lpad(((t - 1) %% {TOWNSHIPS_PER_COUNTY} + 1)::text, 3, '0')",
            "name": "'基准' || t || '镇'", "county_id": "c.id",
        }, f"generate_series(1, %s) t JOIN {cities_counties} c "
           f"ON c.code = '99' || lpad(((t - 1) / {TOWNSHIPS_PER_COUNTY} + 1)::text, 4, '0')", (n_townships,))
        towns = (f"(SELECT t.id, t.code, t.county_id, row_number() OVER (ORDER BY t.code) AS n FROM {township} t "
                 f"WHERE t.county_id IN (SELECT id FROM {cities_counties} c))")
        # The rows just inserted are kept in temporary tables (no WAL, a few columns) that the
        # next statements read, instead of finding them again in the big tables.
        cursor.execute("CREATE TEMP TABLE benchmark_village (id bigint, township_id bigint, county_id bigint, "
                       "income numeric, sort_code text) ON COMMIT DROP")
        insert_select(cursor, Village, {
            "code": "t.code || lpad(((v - 1) %% 15 + 1)::text, 3, '0')", "name": "'基准' || v || '村'",
            "township_id": "t.id", "county_id": "t.county_id",
        }, f"generate_series(1, %s) v JOIN {towns} t ON t.n = (v - 1) / {VILLAGES_PER_TOWNSHIP} + 1", (n,),
            into="benchmark_village", returning="id, township_id, county_id, "
            "round(((800 + floor(random() * 19201)) / 100.0)::numeric, 2), "
            # models.entry_sort_code: the township's code (the village code less its last three
            # digits), the village mark and the village's code.
            f"left(code, length(code) - 3) || '{VILLAGE_SHEET_MARK}' || code")
        state = "CASE WHEN random() < 0.95 THEN 'approved' ELSE 'submitted' END"

        def village_entries(pillar: str, of_year: int = year) -> None:
            """``pillar``'s entries of every village, also written to ``benchmark_<pillar>_<of_year>``
            (entry id, village id)."""
            name = f"benchmark_{pillar}_{int(of_year)}"
            cursor.execute(f"CREATE TEMP TABLE {name} (id bigint, village_id bigint) ON COMMIT DROP")
            insert_select(cursor, Entry, {
                "year_id": str(int(of_year)), "pillar": f"'{pillar}'", "village_id": "v.id",
                "township_id": "v.township_id", "county_id": "v.county_id", "state": state,
                "sort_code": "v.sort_code",
            }, "benchmark_village v", into=name, returning="id, village_id")

        def entries(pillar: str, of_year: int = year) -> str:
            return f"benchmark_{pillar}_{int(of_year)} e"

        for pillar in ("organizations", "talent", "economy", "governance", "support"):
            village_entries(pillar)
        village_entries("economy", year - 1)
        cursor.execute("CREATE TEMP TABLE benchmark_support_township (id bigint) ON COMMIT DROP")
        insert_select(cursor, Entry, {
            "year_id": str(int(year)), "pillar": "'support'", "village_id": "NULL", "township_id": "t.id",
            "county_id": "t.county_id", "state": "'approved'", "sort_code": f"t.code || '{TOWNSHIP_SHEET_MARK}'",
        }, f"{towns} t", into="benchmark_support_township", returning="id")

        insert_select(cursor, TownshipFacilities, {
            "entry_id": "e.id", "canteen": "true", "toilet": "true", "bathhouse": "random() < 0.8",
            "library": "true", "activity_room": "true", "turnover_housing": "random() < 0.7",
        }, "benchmark_support_township e")
        insert_select(cursor, BranchProfile, {
            "entry_id": "e.id", "households": "500", "grids": "10",
            "grids_with_party_group": "7 + floor(random() * 4)::int",
            "linked_households": "300 + floor(random() * 201)::int", "secretary_is_director": "random() < 0.98",
            "standardisation_passed": "random() < 0.9", "points_system": "true",
            "competition_participated": "true",
        }, entries("organizations"))
        kinds = "(ARRAY['party_congress','committee','group','party_lecture','theme_day'])"
        insert_select(cursor, Meeting, {
            "entry_id": "e.id", "kind": f"{kinds}[1 + floor(random() * 5)::int]",
            "date": f"DATE '{year}-01-01' + floor(random() * 361)::int", "topic": "''",
        }, f"{entries('organizations')} CROSS JOIN LATERAL generate_series(1, 6 + (e.id %% 9)::int) g")
        insert_select(cursor, MajorMatter, {
            "entry_id": "e.id", "title": "'事项'", "date": f"DATE '{year}-01-01'",
            "four_deliberations": "random() < 0.9", "made_public": "true",
        }, f"{entries('organizations')} CROSS JOIN LATERAL generate_series(1, (e.id %% 4)::int) g")
        insert_select(cursor, WeakCase, {"entry_id": "e.id", "reasons": "'—'", "status": "'rectifying'"},
                      f"{entries('organizations')} WHERE random() < 0.01")
        insert_select(cursor, TalentProfile, {
            "entry_id": "e.id", "secretary_training_hours": "(ARRAY[16, 32, 40, 48])[1 + floor(random() * 4)::int]",
        }, entries("talent"))
        person = {"name": "'某某'", "gender": "'male'", "birth_year": "1980", "education": "'college'"}
        insert_select(cursor, Cadre, {
            **person, "entry_id": "e.id", "post": "p.post", "monthly_pay": "3000 + floor(random() * 3001)::int",
        }, f"{entries('talent')} CROSS JOIN (VALUES ('secretary_director'), ('member'), ('member')) p(post)")
        insert_select(cursor, SentDown, {
            **person, "entry_id": "e.id", "kind": "p.kind", "sending_unit": "'某单位'",
            "start_date": f"DATE '{year - 1}-03-01'",
        }, f"(SELECT e.id, floor(random() * 6)::int AS pair FROM {entries('talent')} OFFSET 0) e JOIN ({TWO_OF_FOUR}) "
           "p(pair, kind) USING (pair)")
        insert_select(cursor, Trainee, {
            **person, "entry_id": "e.id", "kind": "p.kind", "source": "'returnee'",
        }, f"{entries('talent')} CROSS JOIN (VALUES ('reserve'), ('reserve'), ('leader_county')) p(kind)")
        insert_select(cursor, EconomyProfile, {
            "entry_id": "e.id", "operating_income": "i.income", "organisation_registered": "true",
            "supervisory_board": "true", "disclosure_quarters": "2 + floor(random() * 3)::int",
            "demonstration_base": "random() < 0.01",
        }, f"{entries('economy')} JOIN benchmark_village i ON i.id = e.village_id")
        insert_select(cursor, EconomyProfile, {"entry_id": "e.id", "operating_income": "round(i.income * 0.95, 2)"},
                      f"{entries('economy', year - 1)} JOIN benchmark_village i ON i.id = e.village_id")
        insert_select(cursor, GovernanceProfile, {
            "entry_id": "e.id", "rules_revised_filed": "true", "council_villagers": "true",
            "council_ceremonies": "true", "council_morality": "random() < 0.8", "tool_points": "true",
            "tool_red_black": "true", "tool_stewards": "random() < 0.5",
            "households_visited": "400 + floor(random() * 101)::int", "disputes": "10",
            "disputes_resolved": "7 + floor(random() * 4)::int", "one_stop_service": "true",
            "model_selection_held": "true", "major_incident": "random() < 0.003",
        }, entries("governance"))
        insert_select(cursor, SupportProfile, {
            "entry_id": "e.id", "secretary_annual_pay": "45000 + floor(random() * 25001)::int",
            "months_paid_on_time": "12", "venue_area": "250", "venue_standardised": "true", "paid_leave": "true",
            "health_checkup": "true",
        }, entries("support"))
        # Statistics of the filled tables before the indexes and foreign keys come back: the
        # planner then validates each key with a join fit for its size (and the roll-up that
        # follows plans with them).
        for table in (county, township, *bulk):
            cursor.execute(f"ANALYZE {table}")
