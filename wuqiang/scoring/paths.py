"""Each village's path to the next grade (issue 18 item 2): the roll-up's last step.

Reads only what the roll-up has just stored (``VillageIndicatorScore``, ``VillageVeto``,
``VillageScorecard``) and the year's scheme, and writes ``VillagePath``: the next grade, the
points it needs and, in the same row, its steps (per indicator: the value to reach and the
points it earns; vetoes to clear; pillars still to be approved), read one row per step
through the ``VillagePathStep`` view. Set-based: one ``INSERT … SELECT`` whatever the number
of villages, so the village scorecard page stays a read.

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

from wuqiang.entries.models import Entry, EntryState, Pillar
from wuqiang.regions.models import Village
from wuqiang.scoring.models import (
    Grade,
    Rule,
    Scheme,
    SchemeIndicator,
    StepKind,
    VillageIndicatorScore,
    VillagePath,
    VillageScorecard,
    VillageVeto,
)
from wuqiang.scoring.sql import json_agg, json_array, json_float, number, table, text


def _bands(indicator: SchemeIndicator) -> list[tuple[Decimal, Decimal]]:
    return sorted((Decimal(str(t)), Decimal(str(p))) for t, p in (indicator.params or {}).get("bands", []))


def target_and_gain_sql(indicator: SchemeIndicator) -> tuple[str, str]:
    """SQL expressions of ``s.value`` and ``s.points`` (a stored score row): the value the
    village must reach and the points it then gains (NULL: nothing to gain)."""
    full = number(indicator.points)
    if indicator.rule == Rule.YES_NO:
        return "1.0", f"{full} - s.points"
    if indicator.rule == Rule.LINEAR:
        return number((indicator.params or {}).get("high", 1)), f"{full} - s.points"
    # Bands: the lowest threshold above the value whose band gives more than now.
    whens_target, whens_gain = [], []
    for threshold, points in _bands(indicator):
        condition = f"(s.value IS NULL OR s.value < {number(threshold)}) AND {number(points)} > s.points"
        whens_target.append(f"WHEN {condition} THEN {number(threshold)}")
        whens_gain.append(f"WHEN {condition} THEN {number(points)} - s.points")
    if not whens_target:
        return "NULL", "NULL"
    return f"CASE {' '.join(whens_target)} END", f"CASE {' '.join(whens_gain)} END"


def compute_paths(*, year: int, county_ids: list[int], scheme: Scheme, cursor=None) -> int:
    """Rewrite the paths of the given counties' villages for ``year``; returns the statements run."""
    counties = ", ".join(str(int(pk)) for pk in county_ids) or "NULL"
    in_run = f"village_id IN (SELECT id FROM {table(Village)} WHERE county_id IN ({counties}))"
    statements = 0
    own = cursor is None
    cursor = cursor or connection.cursor()

    def execute(sql: str, params: tuple = ()) -> None:
        nonlocal statements
        statements += 1
        cursor.execute(sql, params)

    try:
        execute(f"DELETE FROM {table(VillagePath)} WHERE year_id = %s AND county_id IN ({counties})", (year,))

        # Every step of the run's villages, from three sources with the same typed columns:
        # village_id, kind, code, pillar, value, denominator, target, points, gain, available,
        # basis, reference.
        nothing = {"number": "CAST(NULL AS DOUBLE PRECISION)", "points": "CAST(NULL AS NUMERIC)"}
        sources: list[tuple[str, tuple]] = []
        indicators = list(scheme.indicators.all())
        if indicators:
            targets = " ".join(f"WHEN {text(i.code)} THEN {target_and_gain_sql(i)[0]}" for i in indicators)
            gains = " ".join(f"WHEN {text(i.code)} THEN {target_and_gain_sql(i)[1]}" for i in indicators)
            fulls = " ".join(f"WHEN {text(i.code)} THEN {number(i.points)}" for i in indicators)
            sources.append((
                f"SELECT x.village_id, {text(StepKind.INDICATOR)} AS kind, x.code, x.pillar, x.value, x.denominator, "
                f"x.target, x.points, x.gain, x.available, x.basis, x.reference FROM ("
                f"SELECT s.village_id, s.code, s.pillar, s.value, s.denominator, s.points, s.basis, s.reference, "
                f"CAST(CASE s.code {targets} END AS DOUBLE PRECISION) AS target, "
                f"ROUND(CAST(CASE s.code {gains} END AS NUMERIC), 2) AS gain, "
                f"ROUND(CAST(CASE s.code {fulls} END - s.points AS NUMERIC), 2) AS available "
                f"FROM {table(VillageIndicatorScore)} s WHERE s.year_id = %s AND s.{in_run}) x "
                f"WHERE x.gain > 0",
                (year,)))
        sources.append((
            f"SELECT village_id, {text(StepKind.VETO)}, code, '', {nothing['number']}, {nothing['number']}, "
            f"{nothing['number']}, {nothing['points']}, {nothing['points']}, {nothing['points']}, '', "
            f"{nothing['points']} FROM {table(VillageVeto)} WHERE year_id = %s AND {in_run}",
            (year,)))
        # A pillar not approved scores nothing: having it approved can earn up to its points.
        pillar_points = {p: sum((i.points for i in indicators if i.pillar == p), Decimal(0)) for p in Pillar.values}
        for p in Pillar.values:
            if pillar_points[p] > 0:
                available = f"CAST({number(pillar_points[p])} AS NUMERIC)"
                sources.append((
                    f"SELECT sc.village_id, {text(StepKind.PILLAR)}, {text(p)}, {text(p)}, {nothing['number']}, "
                    f"{nothing['number']}, {nothing['number']}, CAST(0 AS NUMERIC), {available}, {available}, '', "
                    f"{nothing['points']} "
                    f"FROM {table(VillageScorecard)} sc WHERE sc.year_id = %s AND sc.county_id IN ({counties}) "
                    f"AND NOT EXISTS (SELECT 1 FROM {table(Entry)} e WHERE e.village_id = sc.village_id "
                    f"AND e.year_id = %s AND e.pillar = {text(p)} AND e.state = {text(EntryState.APPROVED)})",
                    (year, year)))
        element = json_array("u.kind", "u.code", "u.pillar", json_float("u.value"), json_float("u.denominator"),
                             json_float("u.target"), "u.points", "u.gain", "u.available", "u.basis", "u.reference")
        steps = (f"SELECT u.village_id, {json_agg(element, 'u.kind, u.code')} AS steps "
                 f"FROM ({' UNION ALL '.join(sql for sql, _params in sources)}) u GROUP BY u.village_id")
        steps_params = tuple(p for _sql, params in sources for p in params)

        line = {Grade.EXEMPLARY: scheme.exemplary_total, Grade.PASS: scheme.pass_total,
                Grade.BASIC: scheme.basic_total}
        pillars_ok = " AND ".join(f"sc.{p} >= {number(scheme.exemplary_pillar_min)}" for p in Pillar.values)
        by_points = (f"CASE WHEN sc.total >= {number(line[Grade.EXEMPLARY])} AND {pillars_ok} "
                     f"THEN {text(Grade.EXEMPLARY)} "
                     f"WHEN sc.total >= {number(line[Grade.PASS])} THEN {text(Grade.PASS)} "
                     f"WHEN sc.total >= {number(line[Grade.BASIC])} THEN {text(Grade.BASIC)} "
                     f"ELSE {text(Grade.FAIL)} END")
        # A vetoed village's next grade is what its points already give once the veto is cleared.
        next_grade = (f"CASE WHEN sc.grade = {text(Grade.EXEMPLARY)} THEN '' "
                      f"WHEN sc.grade = {text(Grade.PASS)} THEN {text(Grade.EXEMPLARY)} "
                      f"WHEN sc.grade = {text(Grade.BASIC)} THEN {text(Grade.PASS)} "
                      f"WHEN sc.vetoes <> '' AND ({by_points}) <> {text(Grade.FAIL)} THEN ({by_points}) "
                      f"ELSE {text(Grade.BASIC)} END")
        lines = " ".join(f"WHEN {text(g)} THEN {number(v)}" for g, v in line.items())
        short = " || ".join(f"CASE WHEN x.{p} < {number(scheme.exemplary_pillar_min)} THEN ',{p}' ELSE '' END"
                            for p in Pillar.values)
        # One row per village with its steps (none: an empty list).
        execute(
            f"INSERT INTO {table(VillagePath)} (year_id, village_id, township_id, county_id, municipality_id, "
            f"next_grade, points_needed, pillars_short, steps) "
            f"SELECT x.year_id, x.village_id, x.township_id, x.county_id, x.municipality_id, x.next_grade, "
            f"CASE WHEN x.next_grade = '' THEN NULL "
            f"WHEN (CASE x.next_grade {lines} END) - x.total > 0 THEN (CASE x.next_grade {lines} END) - x.total "
            f"ELSE 0 END, "
            f"CASE WHEN x.next_grade = {text(Grade.EXEMPLARY)} THEN SUBSTR({short}, 2) ELSE '' END, "
            f"COALESCE(st.steps, {json_array()}) "
            f"FROM (SELECT sc.*, {next_grade} AS next_grade FROM {table(VillageScorecard)} sc "
            f"WHERE sc.year_id = %s AND sc.county_id IN ({counties})) x "
            f"LEFT JOIN ({steps}) st ON st.village_id = x.village_id",
            (year, *steps_params),
        )
    finally:
        if own:
            cursor.close()
    return statements
