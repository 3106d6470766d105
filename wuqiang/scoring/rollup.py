"""The roll-up: from the pillar records to stored scorecards at every level, in set-based SQL.

For one year (or one county of it), inside one transaction:

1. delete the scope's old rows (a failure anywhere rolls back to the previous results);
2. per scheme indicator, one ``INSERT … SELECT`` from the indicator's compiled queryset
   into ``VillageIndicatorScore``, the points computed by a ``CASE`` built from its rule;
   only villages whose entry for the indicator's pillar is approved get a row;
3. per enabled veto, one ``INSERT … SELECT DISTINCT`` into ``VillageVeto``;
4. one ``INSERT … SELECT`` of the village scorecards: a ``UNION ALL`` of every contribution
   (pillar points pivoted with ``CASE WHEN pillar …``, approved entries for completeness,
   vetoes, the figure querysets) summed ``GROUP BY`` village, ranked in the township
   (``RANK() OVER``) and joined to last year's row for the change;
5. grades by a ``CASE`` over the same statement's derived rows;
6. township, county and municipal scorecards by ``INSERT … SELECT … GROUP BY`` over the
   village scorecards, ranked among siblings with ``RANK() OVER (PARTITION BY parent …)``,
   joined to last year's row for the change; next year's change columns are refreshed.

There is no Python loop over villages: the statement count depends on the scheme, not on
the number of villages. Runs on SQLite ≥ 3.35 (window functions, MATERIALIZED CTEs) and
PostgreSQL ≥ 12.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from wuqiang.entries.models import Entry, EntryState, Pillar
from wuqiang.regions.models import AssessmentYear, County, Village
from wuqiang.scoring import indicators as registry
from wuqiang.scoring.models import (
    CountyScorecard,
    Figures,
    Grade,
    MunicipalScorecard,
    Rule,
    Scheme,
    SchemeIndicator,
    TownshipScorecard,
    VetoCode,
    VillageIndicatorScore,
    VillageScorecard,
    VillageVeto,
)

logger = logging.getLogger(__name__)

Progress = Callable[[int, str], None]


class RollupRefused(Exception):
    """The roll-up may not run (e.g. the year is published and already scored)."""


@dataclass
class RollupResult:
    year: int
    county: str | None
    villages: int = 0
    seconds: float = 0.0
    statements: int = 0
    skipped: list[str] = field(default_factory=list)


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _lit(number: Any) -> str:
    """A number as an SQL literal; only ever fed validated scheme values."""
    value = Decimal(str(number))
    if not value.is_finite():
        raise ValueError(f"not a finite number: {number!r}")
    return format(value, "f")


def _ident(text: str) -> str:
    """A constant from our own choices (letters, digits, underscores), checked."""
    if not text.replace("_", "").isalnum():
        raise ValueError(f"unexpected constant: {text!r}")
    return text


def _str(text: str) -> str:
    """A constant from our own choices as an SQL string literal."""
    return f"'{_ident(text)}'"


def compile_queryset(queryset: QuerySet) -> tuple[str, tuple]:
    # No ORDER BY: the models' default ordering would join tables only to sort a subquery.
    queryset = queryset.order_by()
    sql, params = queryset.query.get_compiler(using=queryset.db).as_sql()
    return sql, tuple(params)


def points_sql(indicator: SchemeIndicator, value: str) -> str:
    """The indicator's rule as an SQL expression of ``value``, rounded to 0.01 point."""
    params = indicator.params or {}
    full = _lit(indicator.points)
    none = full if params.get("none_full") else "0"
    if indicator.rule == Rule.YES_NO:
        body = f"CASE WHEN {value} IS NULL THEN {none} WHEN {value} >= 1 THEN {full} ELSE 0 END"
    elif indicator.rule == Rule.LINEAR:
        low, high = _lit(params.get("low", 0)), _lit(params.get("high", 1))
        body = (f"CASE WHEN {value} IS NULL THEN {none} WHEN {value} <= {low} THEN 0 "
                f"WHEN {value} >= {high} THEN {full} "
                f"ELSE {full} * ({value} - ({low})) / (({high}) - ({low})) END")
    elif indicator.rule == Rule.BANDS:
        bands = sorted(((Decimal(str(t)), Decimal(str(p))) for t, p in params.get("bands", [])), reverse=True)
        whens = " ".join(f"WHEN {value} >= {_lit(t)} THEN {_lit(p)}" for t, p in bands)
        body = f"CASE WHEN {value} IS NULL THEN {none} {whens} ELSE 0 END"
    else:
        raise ValueError(f"unknown rule {indicator.rule!r}")
    return f"ROUND(CAST({body} AS NUMERIC), 2)"


def grade_sql(scheme: Scheme, prefix: str = "") -> str:
    """SPEC §5's grades as an SQL CASE over a village scorecard row: any veto → 未达标;
    五强示范 needs the exemplary total and every pillar at its minimum."""
    pillar_min = " AND ".join(f"{prefix}{p} >= {_lit(scheme.exemplary_pillar_min)}" for p in Pillar.values)
    return (f"CASE WHEN {prefix}vetoes <> '' THEN {_str(Grade.FAIL)} "
            f"WHEN {prefix}total >= {_lit(scheme.exemplary_total)} AND {pillar_min} THEN {_str(Grade.EXEMPLARY)} "
            f"WHEN {prefix}total >= {_lit(scheme.pass_total)} THEN {_str(Grade.PASS)} "
            f"WHEN {prefix}total >= {_lit(scheme.basic_total)} THEN {_str(Grade.BASIC)} "
            f"ELSE {_str(Grade.FAIL)} END")


class _Runner:
    """Executes one roll-up's statements on one cursor and counts them."""

    def __init__(self, year: int, county: County | None, progress: Progress | None, scheme: Scheme | None = None):
        self.year = year
        self.scheme = scheme
        self.county = county
        self.progress = progress or (lambda pct, msg: None)
        self.statements = 0
        self.now = connection.ops.adapt_datetimefield_value(timezone.now())
        self.cursor = connection.cursor()

    def execute(self, sql: str, params: tuple | list = ()) -> None:
        self.statements += 1
        self.cursor.execute(sql, tuple(params))

    def village_filter(self, column: str) -> tuple[str, tuple]:
        """``AND column IN (the county's villages)`` for a county run, nothing otherwise."""
        if self.county is None:
            return "", ()
        return f" AND {column} IN (SELECT id FROM {_table(Village)} WHERE county_id = %s)", (self.county.pk,)

    # 1 -------------------------------------------------------------------------------------
    def delete_old(self) -> None:
        for model in (VillageIndicatorScore, VillageVeto):
            where, params = self.village_filter("village_id")
            self.execute(f"DELETE FROM {_table(model)} WHERE year_id = %s{where}", (self.year, *params))
        for model in (VillageScorecard, TownshipScorecard):
            if self.county is None:
                self.execute(f"DELETE FROM {_table(model)} WHERE year_id = %s", (self.year,))
            else:
                self.execute(f"DELETE FROM {_table(model)} WHERE year_id = %s AND county_id = %s",
                             (self.year, self.county.pk))
        # Counties are ranked against each other and the municipality sums them all: both are
        # recomputed whole even for a one-county run (a few hundred rows at most).
        for model in (CountyScorecard, MunicipalScorecard):
            self.execute(f"DELETE FROM {_table(model)} WHERE year_id = %s", (self.year,))

    # 2 -------------------------------------------------------------------------------------
    def insert_indicator(self, indicator: SchemeIndicator, definition: registry.IndicatorDef) -> None:
        sql, params = compile_queryset(definition.function(self.year))
        where, where_params = self.village_filter("q.village_id")
        # A materialised CTE: the rule's CASE names the value several times, and an inlined
        # subquery would evaluate the indicator's correlated subqueries once per mention.
        self.execute(
            f"WITH q AS MATERIALIZED ({sql}) "
            f"INSERT INTO {_table(VillageIndicatorScore)} (year_id, village_id, code, pillar, value, points) "
            f"SELECT %s, q.village_id, %s, %s, q.value, {points_sql(indicator, 'q.value')} "
            f"FROM q "
            f"INNER JOIN {_table(Entry)} e ON e.village_id = q.village_id AND e.year_id = %s "
            f"AND e.pillar = %s AND e.state = %s "
            f"WHERE 1 = 1{where}",
            # Gated on the approval of the pillar whose records the function reads.
            (*params, self.year, indicator.code, indicator.pillar, self.year, definition.pillar,
             EntryState.APPROVED, *where_params),
        )

    # 3 -------------------------------------------------------------------------------------
    def insert_veto(self, code: str, definition: registry.VetoDef) -> None:
        sql, params = compile_queryset(definition.function(self.year))
        where, where_params = self.village_filter("q.village_id")
        self.execute(
            f"INSERT INTO {_table(VillageVeto)} (year_id, village_id, code) "
            f"SELECT DISTINCT %s, q.village_id, %s FROM ({sql}) q WHERE q.village_id IS NOT NULL{where}",
            (self.year, code, *params, *where_params),
        )

    # 4 -------------------------------------------------------------------------------------
    def insert_villages(self) -> None:
        """One row per village: every contribution (the village itself, its indicator points,
        its approved entries, its vetoes, each figure query) is a branch of one UNION ALL,
        summed by village. No derived table is joined to another, so neither SQLite nor
        PostgreSQL ends up scanning one per village."""
        pillars = Pillar.values
        vetoes = [f"v_{c}" for c in VetoCode.values]
        sums = [*pillars, "total", "approved_pillars", *vetoes, *Figures.FIGURE_FIELDS]

        def branch(source: str, values: dict[str, str], where: str = "", params: tuple = (),
                   grouped: bool = False) -> tuple[str, tuple]:
            """One UNION ALL branch with every column; ``grouped`` sums ``values`` by village
            first, so a many-rows-per-village source adds one narrow row per village."""
            # A typed NULL: PostgreSQL resolves UNION column types pairwise, left to right.
            default = {c: ("CAST(NULL AS NUMERIC)" if c in Figures.NULLABLE_FIGURES else "0") for c in sums}
            select = ", ".join(
                f"{f'SUM({values[c]})' if grouped and c in values else values.get(c, default[c])} AS {c}"
                for c in sums)
            filter_sql, filter_params = self.village_filter("village_id")
            group = " GROUP BY village_id" if grouped else ""
            return (f"SELECT village_id, {select} FROM {source} WHERE 1 = 1{where}{filter_sql}{group}",
                    (*params, *filter_params))

        branches = [
            branch(f"(SELECT id AS village_id FROM {_table(Village)}) vv", {}),
            branch(_table(VillageIndicatorScore),
                   {**{p: f"CASE WHEN pillar = {_str(p)} THEN points ELSE 0 END" for p in pillars}, "total": "points"},
                   " AND year_id = %s", (self.year,), grouped=True),
            # Entries are unique per (village, year, pillar): one row is one approved pillar.
            branch(_table(Entry), {"approved_pillars": "1"},
                   " AND year_id = %s AND state = %s AND village_id IS NOT NULL", (self.year, EntryState.APPROVED),
                   grouped=True),
            branch(_table(VillageVeto), {f"v_{c}": f"CASE WHEN code = {_str(c)} THEN 1 ELSE 0 END"
                                         for c in VetoCode.values}, " AND year_id = %s", (self.year,)),
        ]
        for i, definition in enumerate(registry.FIGURES.values()):
            sql, params = compile_queryset(definition.function(self.year))
            branches.append(branch(f"({sql}) f{i}", {c: f"f{i}.{c}" for c in definition.columns}, params=params))
        union = " UNION ALL ".join(sql for sql, _ in branches)
        union_params = tuple(p for _, params in branches for p in params)
        aggregate = ", ".join(
            [*(f"ROUND(SUM(u.{c}), 2) AS {c}" for c in (*pillars, "total")),
             *(f"SUM(u.{c}) AS {c}" for c in ("approved_pillars", *Figures.FIGURE_FIELDS)),
             *(f"MAX(u.{c}) AS {c}" for c in vetoes)])
        # Comma-joined codes, built with || so the same SQL runs on SQLite and PostgreSQL.
        veto_text = " || ".join(f"CASE WHEN a.v_{c} = 1 THEN ',{_ident(c)}' ELSE '' END" for c in VetoCode.values)
        row = [
            ("year_id", "%s"), ("village_id", "a.village_id"), ("township_id", "v.township_id"),
            ("county_id", "v.county_id"), ("municipality_id", "c.municipality_id"),
            *((p, f"a.{p}") for p in pillars), ("total", "a.total"), ("vetoes", f"SUBSTR({veto_text}, 2)"),
            ("approved_pillars", "a.approved_pillars"),
            ("rank", "RANK() OVER (PARTITION BY v.township_id ORDER BY a.total DESC)"),
            ("total_change", "a.total - p.total"), *((f, f"a.{f}") for f in Figures.FIGURE_FIELDS),
            ("computed_at", "%s"),
        ]
        columns = [name for name, _ in row]
        # The grade is computed in the same statement from the derived row (no second pass).
        self.execute(
            f"INSERT INTO {_table(VillageScorecard)} ({', '.join(columns)}, grade) "
            f"SELECT {', '.join(f'x.{c}' for c in columns)}, {grade_sql(self.scheme, 'x.')} FROM ("
            f"SELECT {', '.join(f'{expr} AS {name}' for name, expr in row)} "
            f"FROM (SELECT u.village_id, {aggregate} FROM ({union}) u GROUP BY u.village_id) a "
            f"INNER JOIN {_table(Village)} v ON v.id = a.village_id "
            f"INNER JOIN {_table(County)} c ON c.id = v.county_id "
            f"LEFT JOIN {_table(VillageScorecard)} p ON p.year_id = %s AND p.village_id = a.village_id) x",
            (self.year, self.now, *union_params, self.year - 1),
        )

    # 5 -------------------------------------------------------------------------------------
    def grade_villages(self, scheme: Scheme) -> None:
        """Regrade stored village scorecards without recomputing them (same CASE as the insert)."""
        where = " AND county_id = %s" if self.county else ""
        self.execute(f"UPDATE {_table(VillageScorecard)} SET grade = {grade_sql(scheme)} WHERE year_id = %s{where}",
                     (self.year, *([self.county.pk] if self.county else [])))

    # 6 -------------------------------------------------------------------------------------
    def insert_units(self, model, unit: str, carried: list[str], parent: str | None, *, county_only: bool) -> None:
        """Aggregate village scorecards to one level. ``unit`` is the village scorecard column
        naming the unit, ``carried`` the ancestor columns stored alongside, ``parent`` the
        column siblings share (None: all units of the level are siblings)."""
        pillars = Pillar.values
        figure_sums = ", ".join(f"SUM({f}) AS {f}" for f in Figures.FIGURE_FIELDS)
        grade_counts = ", ".join(f"SUM(CASE WHEN grade = {_str(g)} THEN 1 ELSE 0 END) AS n_{g}" for g in Grade.values)
        group = [unit, *carried]
        inner = (
            f"SELECT {', '.join(group)}, COUNT(*) AS villages, ROUND(AVG(total), 2) AS mean_total, "
            f"{', '.join(f'ROUND(AVG({p}), 2) AS mean_{p}' for p in pillars)}, {grade_counts}, "
            f"ROUND(AVG(approved_pillars) * 20.0, 2) AS mean_completeness, "
            f"SUM(CASE WHEN vetoes <> '' THEN 1 ELSE 0 END) AS veto_villages, {figure_sums} "
            f"FROM {_table(VillageScorecard)} WHERE year_id = %s"
            f"{' AND county_id = %s' if county_only else ''} GROUP BY {', '.join(group)}"
        )
        values = ["villages", "mean_total", *(f"mean_{p}" for p in pillars), *(f"n_{g}" for g in Grade.values),
                  "mean_completeness", "veto_villages", *Figures.FIGURE_FIELDS]
        partition = f"PARTITION BY a.{parent} " if parent else ""
        columns = ["year_id", *group, *values, "rank", "total_change", "computed_at"]
        self.execute(
            f"INSERT INTO {_table(model)} ({', '.join(columns)}) "
            f"SELECT %s, {', '.join(f'a.{c}' for c in group)}, {', '.join(f'a.{c}' for c in values)}, "
            f"RANK() OVER ({partition}ORDER BY a.mean_total DESC), a.mean_total - p.mean_total, %s "
            f"FROM ({inner}) a LEFT JOIN {_table(model)} p ON p.year_id = %s AND p.{unit} = a.{unit}",
            (self.year, self.now, self.year, *([self.county.pk] if county_only else []), self.year - 1),
        )

    def analyze(self, *models) -> None:
        """Refresh the planner's statistics of tables just rewritten (PostgreSQL), so the
        statements that read them next are planned for their real size."""
        if connection.vendor == "postgresql":
            for model in models:
                self.execute(f"ANALYZE {_table(model)}")

    def refresh_next_year_change(self, model, unit: str, total: str) -> None:
        """Next year's rows compare against this year's: keep their change column true."""
        table = _table(model)
        self.execute(
            f"UPDATE {table} SET total_change = {total} - (SELECT p.{total} FROM {table} p "
            f"WHERE p.year_id = %s AND p.{unit} = {table}.{unit}) WHERE year_id = %s",
            (self.year, self.year + 1),
        )


def rollup_year(year: int, *, county_code: str | None = None, progress: Progress | None = None,
                force: bool = False) -> RollupResult:
    """Recompute the stored scorecards of ``year`` (or of one county and everything above
    it), atomically and idempotently. A published year that already has scorecards is
    frozen: it is recomputed only with ``force``."""
    from wuqiang.scoring.services import scheme_for_year

    started = time.perf_counter()
    result = RollupResult(year=year, county=county_code)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # The results can always be recomputed: a crash just after commit may lose this run
            # (the previous results stay, whole), so the commit need not wait for the WAL flush.
            # Room for the roll-up's large hash aggregates and sorts, for this transaction only.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
                cursor.execute("SET LOCAL work_mem TO '64MB'")
        # Serialises roll-ups of one year on PostgreSQL (SQLite serialises writers anyway).
        assessment_year = AssessmentYear.objects.select_for_update().get(pk=year)
        if (assessment_year.is_published and not force
                and VillageScorecard.objects.filter(year_id=year).exists()):
            raise RollupRefused(f"The {year} assessment is published; its scores are frozen.")
        county = County.objects.get(code=county_code) if county_code else None
        scheme = scheme_for_year(year)
        runner = _Runner(year, county, progress, scheme)
        runner.progress(2, "deleting previous results")
        runner.delete_old()

        items = list(scheme.indicators.all())
        for n, indicator in enumerate(items, start=1):
            definition = registry.indicator_def(indicator.code)
            if definition is None:
                result.skipped.append(indicator.code)
                logger.warning("Scheme %s has indicator %s with no registered function", year, indicator.code)
                continue
            runner.insert_indicator(indicator, definition)
            runner.progress(5 + round(60 * n / max(len(items), 1)), f"indicator {indicator.code}")

        for veto in scheme.vetoes.filter(enabled=True):
            definition = registry.VETOES.get(veto.code)
            if definition is not None:
                runner.insert_veto(veto.code, definition)
        runner.analyze(VillageIndicatorScore)
        runner.progress(70, "village scorecards")
        runner.insert_villages()
        runner.progress(85, "townships, counties, municipality")
        runner.insert_units(TownshipScorecard, "township_id", ["county_id", "municipality_id"], "county_id",
                            county_only=county is not None)
        runner.insert_units(CountyScorecard, "county_id", ["municipality_id"], "municipality_id", county_only=False)
        runner.insert_units(MunicipalScorecard, "municipality_id", [], None, county_only=False)
        runner.refresh_next_year_change(VillageScorecard, "village_id", "total")
        for model, unit in ((TownshipScorecard, "township_id"), (CountyScorecard, "county_id"),
                            (MunicipalScorecard, "municipality_id")):
            runner.refresh_next_year_change(model, unit, "mean_total")
        runner.cursor.close()
        result.statements = runner.statements
        villages = Village.objects.all()
        result.villages = villages.filter(county=county).count() if county else villages.count()
    result.seconds = time.perf_counter() - started
    return result

