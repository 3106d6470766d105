"""Each village's path to the next grade (issue 18 item 2): the roll-up's last step.

Reads only what the roll-up has just stored (``VillageScorecard``) and the year's scheme, and
writes ``VillagePath`` (the next grade and the points it needs, one row per village) and the
year's ``PathRule`` rows (a few per indicator). The steps themselves — per indicator the value
to reach and the points it earns, vetoes to clear, pillars still to be approved — are read
through the ``VillagePathStep`` view (:data:`STEPS_VIEW`), which joins those rules to the
stored scores: nothing is written per step. Set-based: three statements whatever the number of
villages, so the village scorecard page stays a read.

What one step earns is the rule evaluated at the target, less the points now:

* yes/no — reach 1 (yes): the full points;
* linear — reach the upper bound: the full points;
* bands — reach the lowest threshold whose band gives more than now: that band's points.

Kept apart from ``rollup.py`` on purpose: it is called with one line at the end of a run and
depends only on the stored tables, so the roll-up's internals can change underneath it.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import connection

from wuqiang.entries.models import Pillar
from wuqiang.regions.models import Village
from wuqiang.scoring.models import Grade, PathRule, Rule, Scheme, StepKind, VillagePath, VillageScorecard
from wuqiang.scoring.sql import number, table, text


def levels(rule: str, params: dict | None, points) -> list[tuple[float, Decimal, bool]]:
    """An indicator's levels: (value to reach, points it then gives, whether the value must be
    below it to climb to it), lowest first."""
    params = params or {}
    full = Decimal(str(points))
    if rule == Rule.YES_NO:
        return [(1.0, full, False)]
    if rule == Rule.LINEAR:
        return [(float(params.get("high", 1)), full, False)]
    return sorted((float(t), Decimal(str(p)), True) for t, p in params.get("bands", []))


def rule_rows(scheme) -> list[tuple]:
    """The PathRule rows of a scheme: (kind, code, pillar, threshold, below, points, full points).
    Also called by migration 0011 with its historical models."""
    indicators = list(scheme.indicators.all())
    rows = [(StepKind.INDICATOR, i.code, i.pillar, threshold, below, level, Decimal(str(i.points)))
            for i in indicators for threshold, level, below in levels(i.rule, i.params, i.points)]
    # A pillar not approved scores nothing: having it approved can earn up to its points.
    for pillar in Pillar.values:
        total = sum((Decimal(str(i.points)) for i in indicators if i.pillar == pillar), Decimal(0))
        if total > 0:
            rows.append((StepKind.PILLAR, pillar, pillar, None, False, total, total))
    return rows


def write_rules(cursor, *, year: int, municipality_id: int, scheme: Scheme) -> int:
    """Replace the year's path rules of a municipality; returns the statements run."""
    name = table(PathRule)
    cursor.execute(f"DELETE FROM {name} WHERE year_id = %s AND municipality_id = %s", (year, municipality_id))
    rows = rule_rows(scheme)
    if not rows:
        return 1
    cursor.execute(
        f"INSERT INTO {name} (year_id, municipality_id, kind, code, pillar, threshold, below, points, full_points) "
        f"VALUES {', '.join(['(%s, %s, %s, %s, %s, %s, %s, %s, %s)'] * len(rows))}",
        [value for row in rows for value in (year, municipality_id, *row)])
    return 2


# A village's steps, read from the stored results and the year's path rules. An indicator's
# step is its lowest level that gives more points than now (and, for bands, lies above the
# value); the view is defined once here and created by migration 0011 (the same SQL runs on
# SQLite and PostgreSQL).
_CLIMBS = ("{r}.year_id = s.year_id AND {r}.municipality_id = c.municipality_id AND {r}.kind = 'indicator' "
           "AND {r}.code = s.code AND {r}.points > s.points "
           "AND (NOT {r}.below OR s.value IS NULL OR s.value < {r}.threshold)")
STEPS_VIEW = (
    "CREATE VIEW scoring_villagepathstep AS "
    "SELECT s.year_id, s.village_id, 'indicator' AS kind, s.code, s.pillar, s.value, s.denominator, "
    "l.threshold AS target, s.points, ROUND(l.points - s.points, 2) AS gain, "
    "ROUND(l.full_points - s.points, 2) AS available, s.basis, s.reference "
    "FROM scoring_villageindicatorscore s "
    "INNER JOIN regions_village v ON v.id = s.village_id "
    "INNER JOIN regions_county c ON c.id = v.county_id "
    f"INNER JOIN scoring_pathrule l ON {_CLIMBS.format(r='l')} "
    f"WHERE NOT EXISTS (SELECT 1 FROM scoring_pathrule o WHERE {_CLIMBS.format(r='o')} "
    "AND (o.threshold < l.threshold OR (o.threshold = l.threshold AND o.points < l.points))) "
    "UNION ALL "
    "SELECT year_id, village_id, 'veto', code, '', NULL, NULL, NULL, NULL, NULL, NULL, '', NULL "
    "FROM scoring_villageveto "
    "UNION ALL "
    "SELECT sc.year_id, sc.village_id, 'pillar', l.code, l.pillar, NULL, NULL, NULL, 0, l.points, l.points, '', NULL "
    "FROM scoring_villagescorecard sc INNER JOIN scoring_pathrule l ON l.year_id = sc.year_id "
    "AND l.municipality_id = sc.municipality_id AND l.kind = 'pillar' "
    "WHERE NOT EXISTS (SELECT 1 FROM entries_entry e WHERE e.village_id = sc.village_id AND e.year_id = sc.year_id "
    "AND e.pillar = l.code AND e.state = 'approved')"
)


def compute_paths(*, year: int, county_ids: list[int], scheme: Scheme, cursor=None, rules: bool = True) -> int:
    """Rewrite the paths of the given counties' villages for ``year`` and, with ``rules``, the
    municipality's path rules (a fanned-out roll-up writes them once, before its county parts);
    returns the statements run."""
    counties = ", ".join(str(int(pk)) for pk in county_ids) or "NULL"
    statements = 0
    own = cursor is None
    cursor = cursor or connection.cursor()

    def execute(sql: str, params: tuple = ()) -> None:
        nonlocal statements
        statements += 1
        cursor.execute(sql, params)

    try:
        # The counties' rows, and the rows of their villages that still name a county the
        # village has left (two statements, each reading its index, as in the roll-up's).
        execute(f"DELETE FROM {table(VillagePath)} WHERE year_id = %s AND county_id IN ({counties})", (year,))
        execute(f"DELETE FROM {table(VillagePath)} WHERE year_id = %s "
                f"AND village_id IN (SELECT id FROM {table(Village)} WHERE county_id IN ({counties}))", (year,))
        if rules:
            statements += write_rules(cursor, year=year, municipality_id=scheme.municipality_id, scheme=scheme)

        line = {Grade.EXEMPLARY: scheme.exemplary_total, Grade.PASS: scheme.pass_total,
                Grade.BASIC: scheme.basic_total}
        # Imported here: the roll-up imports this module.
        from wuqiang.scoring.rollup import grade_sql

        by_points = grade_sql(scheme, "sc.", vetoes=False)
        # A vetoed village's next grade is what its points already give once the veto is cleared.
        next_grade = (f"CASE WHEN sc.grade = {text(Grade.EXEMPLARY)} THEN '' "
                      f"WHEN sc.grade = {text(Grade.PASS)} THEN {text(Grade.EXEMPLARY)} "
                      f"WHEN sc.grade = {text(Grade.BASIC)} THEN {text(Grade.PASS)} "
                      f"WHEN sc.vetoes <> '' AND ({by_points}) <> {text(Grade.FAIL)} THEN ({by_points}) "
                      f"ELSE {text(Grade.BASIC)} END")
        lines = " ".join(f"WHEN {text(g)} THEN {number(v)}" for g, v in line.items())
        short = " || ".join(f"CASE WHEN x.{p} < {number(scheme.exemplary_pillar_min)} THEN ',{p}' ELSE '' END"
                            for p in Pillar.values)
        execute(
            f"INSERT INTO {table(VillagePath)} (year_id, village_id, township_id, county_id, municipality_id, "
            f"next_grade, points_needed, pillars_short) "
            f"SELECT x.year_id, x.village_id, x.township_id, x.county_id, x.municipality_id, x.next_grade, "
            f"CASE WHEN x.next_grade = '' THEN NULL "
            f"WHEN (CASE x.next_grade {lines} END) - x.total > 0 THEN (CASE x.next_grade {lines} END) - x.total "
            f"ELSE 0 END, "
            f"CASE WHEN x.next_grade = {text(Grade.EXEMPLARY)} THEN SUBSTR({short}, 2) ELSE '' END "
            f"FROM (SELECT sc.*, {next_grade} AS next_grade FROM {table(VillageScorecard)} sc "
            f"WHERE sc.year_id = %s AND sc.county_id IN ({counties})) x",
            (year,),
        )
    finally:
        if own:
            cursor.close()
    return statements
