"""The synthetic city of ``benchmark_rollup`` built with set-based SQL on PostgreSQL: one
``INSERT … SELECT`` per table over ``generate_series`` and the rows already inserted, so that
building N villages costs a few statements whatever N is. The values follow the ORM builder's
distributions (the same shares of approved entries, meetings per village and so on), drawn with
``random()`` after ``setseed`` so that a run is repeatable.

Columns a statement does not name get the model field's default (or NULL when the field allows
it), so a new non-null field with a default needs no change here.
"""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.db.models import Model

VILLAGES_PER_TOWNSHIP = 15
TOWNSHIPS_PER_COUNTY = 100


def _table(model: type[Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def insert_select(cursor, model: type[Model], values: dict[str, str], source: str,
                  params: tuple[Any, ...] = ()) -> int:
    """``INSERT INTO model (…) SELECT …`` with ``values`` (column → SQL expression over
    ``source``, without placeholders: ``%%`` for a modulo) and every other column's default;
    ``params`` fill the placeholders of ``source``. Returns the rows inserted."""
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
    cursor.execute(f"INSERT INTO {_table(model)} ({', '.join(columns)}) SELECT {', '.join(exprs)} FROM {source}",
                   (*defaults, *params))
    return cursor.rowcount


def build(n: int, *, municipality_code: str, year: int) -> None:
    """Counties, townships, villages, their approved entries and pillar rows for ``year`` (and
    last year's economy), in about twenty statements."""
    from economy.models import EconomyProfile
    from governance.models import GovernanceProfile
    from organizations.models import BranchProfile, MajorMatter, Meeting, WeakCase
    from support.models import SupportProfile, TownshipFacilities
    from talent.models import Cadre, SentDown, TalentProfile, Trainee
    from wuqiang.entries.models import TOWNSHIP_SHEET_MARK, VILLAGE_SHEET_MARK, Entry
    from wuqiang.regions.models import County, Municipality, Township, Village

    city = Municipality.objects.create(code=municipality_code, name="基准测试市")
    per_county = TOWNSHIPS_PER_COUNTY * VILLAGES_PER_TOWNSHIP
    n_counties, n_townships = -(-n // per_county), -(-n // VILLAGES_PER_TOWNSHIP)
    county, township, village, entry = _table(County), _table(Township), _table(Village), _table(Entry)
    with connection.cursor() as cursor:
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
        insert_select(cursor, Village, {
            "code": "t.code || lpad(((v - 1) %% 15 + 1)::text, 3, '0')", "name": "'基准' || v || '村'",
            "township_id": "t.id", "county_id": "t.county_id",
        }, f"generate_series(1, %s) v JOIN {towns} t ON t.n = (v - 1) / {VILLAGES_PER_TOWNSHIP} + 1", (n,))
        in_city = f"county_id IN (SELECT id FROM {cities_counties} c)"
        # models.entry_sort_code: the township's code, the village mark and the village's code.
        village_sort_code = (f"(SELECT code FROM {township} WHERE id = v.township_id) || '{VILLAGE_SHEET_MARK}' "
                             f"|| v.code")
        state = "CASE WHEN random() < 0.95 THEN 'approved' ELSE 'submitted' END"
        insert_select(cursor, Entry, {
            "year_id": str(int(year)), "pillar": "p.pillar", "village_id": "v.id", "township_id": "v.township_id",
            "county_id": "v.county_id", "state": state, "sort_code": village_sort_code,
        }, f"(SELECT * FROM {village} WHERE {in_city}) v CROSS JOIN (VALUES ('organizations'), ('talent'), "
           f"('economy'), ('governance'), ('support')) p(pillar)")
        insert_select(cursor, Entry, {
            "year_id": str(int(year - 1)), "pillar": "'economy'", "village_id": "v.id", "township_id": "v.township_id",
            "county_id": "v.county_id", "state": state, "sort_code": village_sort_code,
        }, f"(SELECT * FROM {village} WHERE {in_city}) v")
        insert_select(cursor, Entry, {
            "year_id": str(int(year)), "pillar": "'support'", "village_id": "NULL", "township_id": "t.id",
            "county_id": "t.county_id", "state": "'approved'", "sort_code": f"t.code || '{TOWNSHIP_SHEET_MARK}'",
        }, f"{towns} t")

        def entries(pillar: str, of_year: int = year, alias: str = "e", villages: bool = True) -> str:
            level = "IS NOT NULL" if villages else "IS NULL"
            return (f"(SELECT id, village_id FROM {entry} WHERE year_id = {int(of_year)} AND pillar = '{pillar}' "
                    f"AND village_id {level} AND {in_city}) {alias}")

        insert_select(cursor, TownshipFacilities, {
            "entry_id": "e.id", "canteen": "true", "toilet": "true", "bathhouse": "random() < 0.8",
            "library": "true", "activity_room": "true", "turnover_housing": "random() < 0.7",
        }, entries("support", villages=False))
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
        }, f"{entries('talent')} CROSS JOIN LATERAL (SELECT kind FROM (VALUES ('first_secretary'), "
           "('team_member'), ('team_member'), ('tech_commissioner')) k(kind) ORDER BY random() + e.id * 0 LIMIT 2) p")
        insert_select(cursor, Trainee, {
            **person, "entry_id": "e.id", "kind": "p.kind", "source": "'returnee'",
        }, f"{entries('talent')} CROSS JOIN (VALUES ('reserve'), ('reserve'), ('leader_county')) p(kind)")
        cursor.execute("CREATE TEMP TABLE benchmark_income ON COMMIT DROP AS "
                       "SELECT id AS village_id, "
                       "round(((800 + floor(random() * 19201)) / 100.0)::numeric, 2) AS income "
                       f"FROM {village} WHERE {in_city}")
        insert_select(cursor, EconomyProfile, {
            "entry_id": "e.id", "operating_income": "i.income", "organisation_registered": "true",
            "supervisory_board": "true", "disclosure_quarters": "2 + floor(random() * 3)::int",
            "demonstration_base": "random() < 0.01",
        }, f"{entries('economy')} JOIN benchmark_income i USING (village_id)")
        insert_select(cursor, EconomyProfile, {"entry_id": "e.id", "operating_income": "round(i.income * 0.95, 2)"},
                      f"{entries('economy', year - 1)} JOIN benchmark_income i USING (village_id)")
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
