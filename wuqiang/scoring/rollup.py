"""The roll-up: from the pillar records to stored scorecards at every level, in set-based SQL.

For one year (or one county of it), inside one transaction:

1. delete the scope's old rows (a failure anywhere rolls back to the previous results);
2. per pillar, one statement into a temporary table with one row per village of the run whose
   entry for that pillar is approved: the indicators and figure queries that read the
   pillar's records, as materialised CTEs joined once — queries that read the same rows
   (same tables, filters and grouping) share one CTE, so 34 indicators and 5 figure queries
   are 14 scans — with each indicator's value, base, explanation and points (a ``CASE`` built
   from its rule);
3. one ``INSERT … SELECT`` of every village's indicators as one compact row of arrays
   (``VillageIndicators``, read one row per indicator through the ``VillageIndicatorScore``
   view); one row per indicator would be 17 million rows written and deleted at 490,000
   villages;
4. per enabled veto, one ``INSERT … SELECT DISTINCT`` into ``VillageVeto``;
5. one ``INSERT … SELECT`` of the village scorecards from one pass over the run's villages
   joined to the pillar tables (points by the scheme's pillar, approved pillars, figures)
   and to their vetoes, ranked in the township (``RANK() OVER``) and joined to last year's
   row for the change;
6. grades by a ``CASE`` over the same statement's derived rows;
7. township, county and municipal scorecards by ``INSERT … SELECT … GROUP BY`` over the
   village scorecards, ranked among siblings with ``RANK() OVER (PARTITION BY parent …)``,
   joined to last year's row for the change; next year's change columns are refreshed;
8. the paths to the next grade (``paths.py``) and the counties' sheet counts.

Steps 1–6 and the townships, the paths and the sheet counts depend only on the run's counties;
with several workers (``ROLLUP_FAN_OUT``) they run per group of counties as Celery tasks side
by side, each in its own transaction, and the counties and the municipality follow once all have
finished (``rollup_county_part``, ``rollup_upper_part``; ``tasks.py`` makes the chord).

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

from django.conf import settings as django_settings
from django.db import connection, transaction
from django.db.models import Count, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wuqiang.entries.models import Entry, EntryState, Pillar
from wuqiang.entries.tallies import refresh_tallies
from wuqiang.regions.models import County, Municipality, MunicipalYear, Village
from wuqiang.regions.selectors import year_settings
from wuqiang.scoring import indicators as registry
from wuqiang.scoring.models import (
    CountyScorecard,
    Figures,
    Grade,
    IndicatorLayout,
    MunicipalScorecard,
    Rule,
    Scheme,
    SchemeIndicator,
    TownshipScorecard,
    VetoCode,
    VillageIndicators,
    VillageScorecard,
    VillageVeto,
)
from wuqiang.scoring.paths import compute_paths, write_rules
from wuqiang.scoring.sql import array, ident, number, table, text

logger = logging.getLogger(__name__)

# progress(percent, step): ``step`` is a key of STEPS, with ":<pillar>" for "pillar".
Progress = Callable[[int, str], None]
STEPS = {
    "delete": _("Clearing the previous results"),
    "pillar": _("Indicators of %(code)s"),
    "villages": _("Village scorecards"),
    # A fanned-out run: "3/4" parts (groups of counties) have written their villages and townships.
    "parts": _("Villages and townships, parts finished: %(code)s"),
    "units": _("Townships, counties and the municipality"),
}


def describe_step(step: str) -> str:
    """A progress step in the reader's language ("pillar:talent" → "Indicators of 带头队伍强")."""
    key, _sep, code = step.partition(":")
    label = STEPS.get(key)
    if key == "pillar" and code in Pillar.values:
        code = str(Pillar(code).label)
    return str(label) % {"code": code} if label is not None else step


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


def compile_queryset(queryset: QuerySet) -> tuple[str, tuple]:
    # No ORDER BY: the models' default ordering would join tables only to sort a subquery.
    queryset = queryset.order_by()
    sql, params = queryset.query.get_compiler(using=queryset.db).as_sql()
    return sql, tuple(params)


@dataclass(frozen=True)
class QueryParts:
    """A compiled queryset cut into its select list and the rest (``FROM … WHERE … GROUP BY …``),
    so that indicators reading the same rows share one scan: querysets whose rest is the same
    text with the same parameters read the same rows grouped the same way, and their select
    lists can be computed side by side (``_Runner.compute_pillar``)."""

    columns: dict[str, tuple[str, tuple]]  # alias → (SQL, parameters)
    rest: str
    rest_params: tuple

    @property
    def key(self) -> tuple:
        return self.rest, self.rest_params


def split_queryset(queryset: QuerySet) -> QueryParts | None:
    """``queryset``'s parts, or None for a shape that does not split plainly (DISTINCT,
    HAVING, a combinator, a slice, extra columns), which then runs as a query of its own."""
    queryset = queryset.order_by()
    query = queryset.query
    if query.distinct or query.combinator or query.is_sliced or query.extra_select:
        return None
    compiler = query.get_compiler(using=queryset.db)
    extra_select, _order_by, group_by = compiler.pre_sql_setup()
    if extra_select or compiler.having or compiler.qualify:
        return None
    columns = {}
    for _expression, (sql, params), alias in compiler.select:
        if alias is None:
            return None
        columns[alias] = (sql, tuple(params))
    from_, from_params = compiler.get_from_clause()
    rest, params = f"FROM {' '.join(from_)}", list(from_params)
    if compiler.where is not None:
        where, where_params = compiler.compile(compiler.where)
        if where:
            rest += f" WHERE {where}"
            params += where_params
    if group_by:
        selected = list(columns.values())
        terms = []
        for sql, group_params in group_by:
            # Django may name a selected column by its position; the merged list has others.
            if sql.isdigit():
                sql, group_params = selected[int(sql) - 1]
            terms.append(sql)
            params += group_params
        rest += f" GROUP BY {', '.join(terms)}"
    return QueryParts(columns, rest, tuple(params))


def points_sql(indicator: SchemeIndicator, value: str) -> str:
    """The indicator's rule as an SQL expression of ``value``, rounded to 0.01 point."""
    params = indicator.params or {}
    full = number(indicator.points)
    none = full if params.get("none_full") else "0"
    if indicator.rule == Rule.YES_NO:
        body = f"CASE WHEN {value} IS NULL THEN {none} WHEN {value} >= 1 THEN {full} ELSE 0 END"
    elif indicator.rule == Rule.LINEAR:
        low, high = number(params.get("low", 0)), number(params.get("high", 1))
        body = (f"CASE WHEN {value} IS NULL THEN {none} WHEN {value} <= {low} THEN 0 "
                f"WHEN {value} >= {high} THEN {full} "
                f"ELSE {full} * ({value} - ({low})) / (({high}) - ({low})) END")
    elif indicator.rule == Rule.BANDS:
        bands = sorted(((Decimal(str(t)), Decimal(str(p))) for t, p in params.get("bands", [])), reverse=True)
        whens = " ".join(f"WHEN {value} >= {number(t)} THEN {number(p)}" for t, p in bands)
        body = f"CASE WHEN {value} IS NULL THEN {none} {whens} ELSE 0 END"
    else:
        raise ValueError(f"unknown rule {indicator.rule!r}")
    return f"ROUND(CAST({body} AS NUMERIC), 2)"


def evaluate_points(indicator: SchemeIndicator, value: float | None) -> Decimal:
    """The rule's points for one value, computed by the very SQL the roll-up runs (the scheme
    editor's preview: one definition of the rule)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {points_sql(indicator, 'v.value')} "
                       f"FROM (SELECT CAST(%s AS DOUBLE PRECISION) AS value) v", [value])
        return Decimal(str(cursor.fetchone()[0])).quantize(Decimal("0.01"))


def grade_sql(scheme: Scheme, prefix: str = "", *, vetoes: bool = True) -> str:
    """SPEC §5's grades as an SQL CASE over a village scorecard row: any veto → 未达标;
    五强示范 needs the exemplary total and every pillar at its minimum. ``vetoes=False``: the
    grade the points alone give (what a vetoed village reaches once the veto is cleared)."""
    pillar_min = " AND ".join(f"{prefix}{p} >= {number(scheme.exemplary_pillar_min)}" for p in Pillar.values)
    veto = f"WHEN {prefix}vetoes <> '' THEN {text(Grade.FAIL)} " if vetoes else ""
    return (f"CASE {veto}"
            f"WHEN {prefix}total >= {number(scheme.exemplary_total)} AND {pillar_min} THEN {text(Grade.EXEMPLARY)} "
            f"WHEN {prefix}total >= {number(scheme.pass_total)} THEN {text(Grade.PASS)} "
            f"WHEN {prefix}total >= {number(scheme.basic_total)} THEN {text(Grade.BASIC)} "
            f"ELSE {text(Grade.FAIL)} END")


def indicator_layout(pairs: list[tuple[str, str]]) -> int:
    """The id of the layout holding these (pillar, code) pairs in this order, created if new.
    County parts running side by side may both create it: the second insert waits for the
    first and then does nothing."""
    signature = IndicatorLayout.signature_of(pairs)
    IndicatorLayout.objects.bulk_create(
        [IndicatorLayout(signature=signature, codes=[c for _p, c in pairs], pillars=[p for p, _c in pairs])],
        ignore_conflicts=True)
    return IndicatorLayout.objects.values_list("pk", flat=True).get(signature=signature)


class _Runner:
    """Executes one roll-up's statements on one cursor and counts them. A run covers one
    municipality (with its own scheme), or one county of it and everything above the county."""

    def __init__(self, year: int, municipality: Municipality, counties: list[County] | None,
                 progress: Progress | None, scheme: Scheme):
        self.year = year
        self.scheme = scheme
        self.municipality = municipality
        # Literal ids: a municipality has a few dozen counties at most, and a literal list lets
        # every statement filter the county column it already has, without a join.
        self.county_ids = sorted(county.pk for county in counties) if counties else list(
            County.objects.filter(municipality=municipality).order_by("pk").values_list("pk", flat=True))
        self.progress = progress or (lambda pct, msg: None)
        self.statements = 0
        # The pillar tables computed so far: pillar → its indicators and its figure queries, in
        # column order.
        self.pillars: dict[str, list[SchemeIndicator]] = {}
        self.figures: dict[str, list[registry.FigureDef]] = {}
        self.now = connection.ops.adapt_datetimefield_value(timezone.now())
        self.cursor = connection.cursor()

    def execute(self, sql: str, params: tuple | list = ()) -> None:
        self.statements += 1
        self.cursor.execute(sql, tuple(params))

    @property
    def counties_sql(self) -> str:
        """The run's county ids as an SQL list (integers from our own query, never user input)."""
        return ", ".join(str(int(pk)) for pk in self.county_ids) or "NULL"

    def village_filter(self, column: str) -> tuple[str, tuple]:
        """``AND column IN (the run's villages)``, for tables that carry only the village."""
        return f" AND {column} IN (SELECT id FROM {table(Village)} WHERE county_id IN ({self.counties_sql}))", ()

    def scoped_queryset(self, queryset: QuerySet) -> QuerySet:
        """An entry-based queryset narrowed to the run's counties (others as they are)."""
        return queryset.filter(county_id__in=self.county_ids) if queryset.model is Entry else queryset

    def scoped(self, queryset: QuerySet) -> tuple[str, tuple, bool]:
        """An indicator's queryset compiled for the run's villages only. Entry-based querysets
        (all of them today) are filtered inside, so nothing outside the run is computed; the
        flag says whether the caller must still filter the result by village."""
        sql, params = compile_queryset(self.scoped_queryset(queryset))
        return sql, params, queryset.model is not Entry

    # 1 -------------------------------------------------------------------------------------
    def delete_village_levels(self) -> None:
        for model in (VillageIndicators, VillageVeto):
            where, params = self.village_filter("village_id")
            self.execute(f"DELETE FROM {table(model)} WHERE year_id = %s{where}", (self.year, *params))
        for model in (VillageScorecard, TownshipScorecard):
            self.execute(f"DELETE FROM {table(model)} WHERE year_id = %s AND county_id IN ({self.counties_sql})",
                         (self.year,))
        # Also the scorecards of the counties' villages that still name a county the village has
        # left: their new ones are written below. Two statements, not one with OR, so that each
        # reads its own index (an OR with a subquery scans every scorecard: 0.3 s for one county
        # at 490,000 villages, against 10 ms).
        where, params = self.village_filter("village_id")
        self.execute(f"DELETE FROM {table(VillageScorecard)} WHERE year_id = %s{where}", (self.year, *params))

    def delete_upper_levels(self) -> None:
        for model in (CountyScorecard, MunicipalScorecard):
            self.execute(f"DELETE FROM {table(model)} WHERE year_id = %s AND municipality_id = %s",
                         (self.year, self.municipality.pk))

    # 2 -------------------------------------------------------------------------------------
    def compute_pillar(self, pillar: str, items: list[tuple[SchemeIndicator, registry.IndicatorDef]],
                       figures: list[registry.FigureDef]) -> None:
        """Every indicator and figure that reads ``pillar``'s records, in one statement into a
        temporary table: one row per village of the run whose ``pillar`` entry is approved (the
        gate of every score and figure; the row itself says the pillar is approved), one
        materialised CTE per group of indicator and figure queries that read the same rows — a
        rule's CASE names the value several times, and an inlined subquery would be computed
        once per mention — each joined once. Columns per indicator ``n``: ``has_n`` (its query
        gave a row), ``value_n``, ``denominator_n``, ``basis_n``, ``reference_n``, ``points_n``;
        per figure query ``k`` and column ``c``: ``figure_k_c``. A query giving two rows for a
        village would give the village two rows here, which the stored results' unique
        constraints refuse."""
        ctes, params, columns, joins = [], [], [], []
        # Queries that read the same rows (same tables, joins, filters and grouping) share one
        # CTE, each with its own columns — indicators and figure queries alike (the figures of
        # talent count the same cadres, postings and trainees as T1–T7). A member is ("q", n)
        # for indicator n, ("f", k) for figure query k; ``columns_of`` maps it to its columns'
        # SQL (alias → CTE column).
        shared: dict[tuple, list[tuple[tuple[str, int], QueryParts]]] = {}
        columns_of: dict[tuple[str, int], dict[str, str]] = {}
        queries = [(("f", k), definition.function(self.year)) for k, definition in enumerate(figures)]
        queries += [(("q", n), definition.function(self.year)) for n, (_indicator, definition) in enumerate(items)]
        for member, queryset in queries:
            parts = split_queryset(self.scoped_queryset(queryset))
            if parts is None:
                name = "".join(map(str, member))
                sql, query_params, _outer = self.scoped(queryset)
                ctes.append(f"{name} AS MATERIALIZED ({sql})")
                params.extend(query_params)
                joins.append(f" LEFT JOIN {name} ON {name}.village_id = e.village_id")
                aliases = (figures[member[1]].columns if member[0] == "f"
                           else ("value", "denominator", "basis", "reference"))
                columns_of[member] = {alias: f"{name}.{ident(alias)}" for alias in ("village_id", *aliases)}
            else:
                shared.setdefault(parts.key, []).append((member, parts))
        for members in shared.values():
            name = "".join(map(str, members[0][0]))
            parts = members[0][1]
            select = [f"{parts.columns['village_id'][0]} AS village_id"]
            params.extend(parts.columns["village_id"][1])
            for member, member_parts in members:
                columns_of[member] = {"village_id": f"{name}.village_id"}
                for alias, (sql, column_params) in member_parts.columns.items():
                    if alias != "village_id":
                        column = f"{member[0]}{member[1]}_{ident(alias)}"
                        select.append(f"{sql} AS {column}")
                        params.extend(column_params)
                        columns_of[member][alias] = f"{name}.{column}"
            ctes.append(f"{name} AS MATERIALIZED (SELECT {', '.join(select)} {parts.rest})")
            params.extend(parts.rest_params)
            joins.append(f" LEFT JOIN {name} ON {name}.village_id = e.village_id")
        for k, definition in enumerate(figures):
            columns += [f"{columns_of['f', k][c]} AS figure_{k}_{ident(c)}" for c in definition.columns]
        for n, (indicator, definition) in enumerate(items):
            # Indicators that explain their value (S1: which pay standard applied) store how;
            # ratio indicators store their base, so the path can speak in households, meetings…
            column = columns_of["q", n]
            denominator = column["denominator"] if definition.has_denominator else "NULL"
            basis, reference = (column["basis"], column["reference"]) if definition.basis else ("''", "NULL")
            value, present = column["value"], column["village_id"]
            columns += [
                f"CASE WHEN {present} IS NULL THEN 0 ELSE 1 END AS has_{n}",
                f"{value} AS value_{n}",
                f"{denominator} AS denominator_{n}",
                f"{basis} AS basis_{n}",
                f"{reference} AS reference_{n}",
                f"CASE WHEN {present} IS NULL THEN 0 ELSE {points_sql(indicator, value)} END AS points_{n}",
            ]
        name = self.pillar_table(pillar)
        self.execute(f"DROP TABLE IF EXISTS {name}")
        # Villages outside the run are never read: the base is the run's approved entries (an
        # indicator not built on entries computes the whole year, then the join drops the rest).
        self.execute(
            f"CREATE TEMPORARY TABLE {name} AS {f'WITH {chr(44).join(ctes)} ' if ctes else ''}"
            f"SELECT {', '.join(['e.village_id', *columns])} FROM "
            f"(SELECT village_id FROM {table(Entry)} WHERE year_id = %s AND pillar = %s AND state = %s "
            f"AND village_id IS NOT NULL AND county_id IN ({self.counties_sql})) e{''.join(joins)}",
            (*params, self.year, pillar, EntryState.APPROVED),
        )
        # Not ANALYZEd: the joins that read it are planned as well from its size alone, and
        # statistics of five tables cost 1.5 s at 100,000 villages.
        self.pillars[pillar] = [indicator for indicator, _definition in items]
        self.figures[pillar] = figures

    @staticmethod
    def pillar_table(pillar: str) -> str:
        return f"rollup_{ident(pillar)}"

    def computed(self, *, units: bool = False) -> str:
        """The run's villages (``v``, with their township and county when ``units``) joined to
        every pillar table (``FROM`` and joins; aliased by pillar, at most one row each per
        village)."""
        joins = "".join(f" LEFT JOIN {self.pillar_table(p)} {ident(p)} ON {ident(p)}.village_id = v.id"
                        for p in self.pillars)
        units_sql = ", township_id, county_id" if units else ""
        return f"(SELECT id{units_sql} FROM {table(Village)} WHERE county_id IN ({self.counties_sql})) v{joins}"

    def scored(self) -> list[tuple[str, int, SchemeIndicator]]:
        """(pillar table alias, column number, indicator) for every computed indicator."""
        return [(ident(p), n, indicator) for p, items in self.pillars.items() for n, indicator in enumerate(items)]

    # 3 -------------------------------------------------------------------------------------
    def insert_indicators(self) -> None:
        """Each village's indicators as one row of arrays, position by position those of the
        layout of the run's scored indicators (the pillar being the scheme's). An indicator
        whose query gave no row is NULL in every array, which the ``VillageIndicatorScore`` view
        leaves out."""
        scored = self.scored()
        if not scored:
            return
        layout = indicator_layout([(indicator.pillar, indicator.code) for _alias, _n, indicator in scored])
        arrays = {}
        for column in ("value", "points", "denominator", "basis", "reference"):
            field = VillageIndicators._meta.get_field(f"{column}_array")
            arrays[field.column] = array([f"CASE WHEN {alias}.has_{n} = 1 THEN {alias}.{column}_{n} END"
                                          for alias, n, _indicator in scored], field.element_type)
        any_approved = " OR ".join(f"{ident(p)}.village_id IS NOT NULL" for p, items in self.pillars.items() if items)
        self.execute(
            f"INSERT INTO {table(VillageIndicators)} (year_id, village_id, layout_id, {', '.join(arrays)}) "
            f"SELECT %s, v.id, %s, {', '.join(arrays.values())} FROM {self.computed()} WHERE {any_approved}",
            (self.year, layout),
        )

    def drop_temporary(self) -> None:
        for pillar in self.pillars:
            self.execute(f"DROP TABLE IF EXISTS {self.pillar_table(pillar)}")

    # 4 -------------------------------------------------------------------------------------
    def insert_veto(self, code: str, definition: registry.VetoDef) -> None:
        sql, params, outer = self.scoped(definition.function(self.year))
        where, where_params = self.village_filter("q.village_id") if outer else ("", ())
        self.execute(
            f"INSERT INTO {table(VillageVeto)} (year_id, village_id, code) "
            f"SELECT DISTINCT %s, q.village_id, %s FROM ({sql}) q WHERE q.village_id IS NOT NULL{where}",
            (self.year, code, *params, *where_params),
        )

    # 5 -------------------------------------------------------------------------------------
    def insert_villages(self) -> None:
        """One row per village of the run, from one pass over the villages joined to the pillar
        tables (points summed by the scheme's pillar, approved pillars counted, figures) and to
        the village's vetoes, ranked in the township and joined to last year's row for the
        change; graded in the same statement from the derived row."""
        pillars = Pillar.values
        points: dict[str, list[str]] = {p: [] for p in pillars}
        for alias, n, indicator in self.scored():
            points[indicator.pillar].append(f"COALESCE({alias}.points_{n}, 0)")
        sums = {p: " + ".join(terms) if terms else "0" for p, terms in points.items()}
        sums["total"] = " + ".join(terms for p, terms in sums.items())
        # Figure columns, summed where several queries give one; a nullable one stays NULL
        # when no query gave a number.
        given: dict[str, list[str]] = {c: [] for c in Figures.FIGURE_FIELDS}
        for p, definitions in self.figures.items():
            for k, definition in enumerate(definitions):
                for c in definition.columns:
                    given[c].append(f"{ident(p)}.figure_{k}_{ident(c)}")
        figures = {}
        for c, terms in given.items():
            summed = " + ".join(f"COALESCE({t}, 0)" for t in terms) or "0"
            if c in Figures.NULLABLE_FIGURES:
                figures[c] = (f"CASE WHEN {' AND '.join(f'{t} IS NULL' for t in terms)} THEN NULL ELSE {summed} END"
                              if terms else "CAST(NULL AS NUMERIC)")
            else:
                figures[c] = summed
        approved = " + ".join(f"CASE WHEN {ident(p)}.village_id IS NULL THEN 0 ELSE 1 END" for p in self.pillars) or "0"
        vetoes = ", ".join(f"MAX(CASE WHEN code = {text(c)} THEN 1 ELSE 0 END) AS v_{c}" for c in VetoCode.values)
        in_run, _none = self.village_filter("village_id")
        derived = [
            "v.id AS village_id", "v.township_id", "v.county_id",
            *(f"ROUND({expr}, 2) AS {column}" for column, expr in sums.items()),
            f"{approved} AS approved_pillars",
            *(f"COALESCE(vt.v_{c}, 0) AS v_{c}" for c in VetoCode.values),
            *(f"{expr} AS {column}" for column, expr in figures.items()),
        ]
        # Comma-joined codes, built with || so the same SQL runs on SQLite and PostgreSQL.
        veto_text = " || ".join(f"CASE WHEN a.v_{c} = 1 THEN ',{ident(c)}' ELSE '' END" for c in VetoCode.values)
        row = [
            ("year_id", "%s"), ("village_id", "a.village_id"), ("township_id", "a.township_id"),
            ("county_id", "a.county_id"), ("municipality_id", "c.municipality_id"),
            *((p, f"a.{p}") for p in pillars), ("total", "a.total"), ("vetoes", f"SUBSTR({veto_text}, 2)"),
            ("approved_pillars", "a.approved_pillars"),
            ("rank", "RANK() OVER (PARTITION BY a.township_id ORDER BY a.total DESC)"),
            ("total_change", "a.total - p.total"), *((f, f"a.{f}") for f in Figures.FIGURE_FIELDS),
            ("computed_at", "%s"),
        ]
        columns = [name for name, _expr in row]
        self.execute(
            f"INSERT INTO {table(VillageScorecard)} ({', '.join(columns)}, grade) "
            f"SELECT {', '.join(f'x.{c}' for c in columns)}, {grade_sql(self.scheme, 'x.')} FROM ("
            f"SELECT {', '.join(f'{expr} AS {name}' for name, expr in row)} FROM ("
            f"SELECT {', '.join(derived)} FROM {self.computed(units=True)} "
            f"LEFT JOIN (SELECT village_id, {vetoes} FROM {table(VillageVeto)} WHERE year_id = %s{in_run} "
            f"GROUP BY village_id) vt ON vt.village_id = v.id) a "
            f"INNER JOIN {table(County)} c ON c.id = a.county_id "
            f"LEFT JOIN {table(VillageScorecard)} p ON p.year_id = %s AND p.village_id = a.village_id) x",
            (self.year, self.now, self.year, self.year - 1),
        )

    # 6 -------------------------------------------------------------------------------------
    def grade_villages(self, scheme: Scheme) -> None:
        """Regrade stored village scorecards without recomputing them (same CASE as the insert)."""
        self.execute(f"UPDATE {table(VillageScorecard)} SET grade = {grade_sql(scheme)} "
                     f"WHERE year_id = %s AND county_id IN ({self.counties_sql})", (self.year,))

    # 7 -------------------------------------------------------------------------------------
    def insert_units(self, model, unit: str, carried: list[str], parent: str | None, *, county_only: bool) -> None:
        """Aggregate village scorecards to one level. ``unit`` is the village scorecard column
        naming the unit, ``carried`` the ancestor columns stored alongside, ``parent`` the
        column siblings share (None: the unit has no siblings under the same scheme, so no rank).
        ``county_only``: the run's counties only (townships), else the run's whole municipality."""
        pillars = Pillar.values
        figure_sums = ", ".join(f"SUM({f}) AS {f}" for f in Figures.FIGURE_FIELDS)
        grade_counts = ", ".join(f"SUM(CASE WHEN grade = {text(g)} THEN 1 ELSE 0 END) AS n_{g}" for g in Grade.values)
        group = [unit, *carried]
        inner = (
            f"SELECT {', '.join(group)}, COUNT(*) AS villages, ROUND(AVG(total), 2) AS mean_total, "
            f"{', '.join(f'ROUND(AVG({p}), 2) AS mean_{p}' for p in pillars)}, {grade_counts}, "
            f"ROUND(AVG(approved_pillars) * 20.0, 2) AS mean_completeness, "
            f"SUM(CASE WHEN vetoes <> '' THEN 1 ELSE 0 END) AS veto_villages, {figure_sums} "
            f"FROM {table(VillageScorecard)} WHERE year_id = %s AND "
            f"{f'county_id IN ({self.counties_sql})' if county_only else 'municipality_id = %s'} "
            f"GROUP BY {', '.join(group)}"
        )
        values = ["villages", "mean_total", *(f"mean_{p}" for p in pillars), *(f"n_{g}" for g in Grade.values),
                  "mean_completeness", "veto_villages", *Figures.FIGURE_FIELDS]
        rank = f"RANK() OVER (PARTITION BY a.{parent} ORDER BY a.mean_total DESC)" if parent else "NULL"
        columns = ["year_id", *group, *values, "rank", "total_change", "computed_at"]
        self.execute(
            f"INSERT INTO {table(model)} ({', '.join(columns)}) "
            f"SELECT %s, {', '.join(f'a.{c}' for c in group)}, {', '.join(f'a.{c}' for c in values)}, "
            f"{rank}, a.mean_total - p.mean_total, %s "
            f"FROM ({inner}) a LEFT JOIN {table(model)} p ON p.year_id = %s AND p.{unit} = a.{unit}",
            (self.year, self.now, self.year, *([] if county_only else [self.municipality.pk]), self.year - 1),
        )

    # The columns that the statements and pages reading each rewritten table filter, join,
    # group or sort by: statistics of only these (the indicator arrays' element statistics
    # alone cost a second at 490,000 villages, and no query filters by an array).
    ANALYZED_COLUMNS = {
        VillageScorecard: ("year_id", "village_id", "township_id", "county_id", "municipality_id", "grade",
                           "vetoes", "approved_pillars", "total", "rank"),
        VillageIndicators: ("year_id", "village_id", "layout_id"),
    }

    def analyze(self, model) -> None:
        """Refresh the planner's statistics of a table just rewritten (PostgreSQL), so the
        statements that read it next are planned for its real size."""
        if connection.vendor == "postgresql":
            self.execute(f"ANALYZE {table(model)} ({', '.join(self.ANALYZED_COLUMNS[model])})")

    def refresh_next_year_change(self, model, unit: str, total: str, *, by_county: bool) -> None:
        """Next year's rows of the run's scope compare against this year's: keep their change
        column true."""
        name = table(model)
        scope = f"county_id IN ({self.counties_sql})" if by_county else "municipality_id = %s"
        self.execute(
            f"UPDATE {name} SET total_change = {total} - (SELECT p.{total} FROM {name} p "
            f"WHERE p.year_id = %s AND p.{unit} = {name}.{unit}) WHERE year_id = %s AND {scope}",
            (self.year, self.year + 1, *([] if by_county else [self.municipality.pk])),
        )


def rollup_year(year: int, *, municipality_code: str | None = None, county_code: str | None = None,
                progress: Progress | None = None, force: bool = False) -> RollupResult:
    """Recompute the stored scorecards of ``year``: of one county (and everything above it), of
    one municipality, or of every municipality, each with its own scheme, each atomically and
    idempotently in its own transaction. A municipality that has published the year and has
    scorecards is frozen: recomputed only with ``force``; asked for explicitly it is refused,
    and among all municipalities it is left out (refused when all are)."""
    started = time.perf_counter()
    result = RollupResult(year=year, county=county_code)
    county = County.objects.select_related("municipality").get(code=county_code) if county_code else None
    if county is not None:
        municipalities = [county.municipality]
    elif municipality_code:
        municipalities = [Municipality.objects.get(code=municipality_code)]
    else:
        municipalities = list(Municipality.objects.order_by("code"))
    refused: list[str] = []
    for municipality in municipalities:
        try:
            _rollup_municipality(result, municipality, [county] if county else None, progress, force)
        except RollupRefused as refusal:
            if municipality_code or county_code or len(municipalities) == 1:
                raise
            refused.append(str(refusal))
    if refused and len(refused) == len(municipalities):
        raise RollupRefused(refused[0])
    result.seconds = time.perf_counter() - started
    return result


# A roll-up fanned out over several workers (tasks.py) runs in parts, each in its own
# transaction: first the villages and townships of a group of counties per part (the county
# parts, side by side), then, when all have finished, the counties and the municipality (the
# upper part). Townships are ranked within their county, so a county part is consistent on its
# own; until the upper part commits, only the counties' ranks and the municipality's means lag
# behind. One process runs the whole scope in one transaction.
WHOLE, COUNTY_PART, UPPER_PART = "whole", "county", "upper"


def prepare_fan_out(year: int, *, municipality_code: str, parts: int) -> list[list[str]]:
    """Before a fanned-out roll-up: refuse a frozen year, write the year's path rules (once for
    the municipality, not by each county part) and return the county codes in at most
    ``parts`` groups of about as many villages each, one part per group."""
    from wuqiang.scoring.services import scheme_for

    municipality = Municipality.objects.get(code=municipality_code)
    with transaction.atomic():
        settings = _lock(year_settings(year=year, municipality_id=municipality.pk), None, WHOLE)
        _refuse_if_frozen(settings, year, municipality, force=False)
        scheme = scheme_for(municipality_id=municipality.pk, year=year)
        with connection.cursor() as cursor:
            write_rules(cursor, year=year, municipality_id=municipality.pk, scheme=scheme)
    sizes = dict(County.objects.filter(municipality=municipality).annotate(size=Count("villages"))
                 .values_list("code", "size"))
    return county_groups(sizes, parts)


def county_groups(sizes: dict[str, int], parts: int) -> list[list[str]]:
    """Counties (code → villages) in at most ``parts`` groups of about as many villages each:
    the largest first, each to the group with the fewest villages so far. A part has fixed
    costs (some 40 statements), so hundreds of small counties are better run as a few parts."""
    groups: list[tuple[int, list[str]]] = [(0, []) for _ in range(max(1, min(parts, len(sizes))))]
    for code, villages in sorted(sizes.items(), key=lambda item: (-item[1], item[0])):
        smallest = min(range(len(groups)), key=lambda k: groups[k][0])
        total, codes = groups[smallest]
        groups[smallest] = (total + villages, [*codes, code])
    return [sorted(codes) for _total, codes in groups if codes]


def rollup_county_part(year: int, *, county_codes: list[str], progress: Progress | None = None) -> RollupResult:
    """A fanned-out roll-up's part for a group of counties of one municipality: their villages'
    indicators, vetoes, scorecards and paths, and their townships' scorecards, in one
    transaction that other groups' parts run alongside."""
    started = time.perf_counter()
    counties = list(County.objects.select_related("municipality").filter(code__in=county_codes))
    if len(counties) != len(set(county_codes)) or len({c.municipality_id for c in counties}) != 1:
        raise ValueError(f"not counties of one municipality: {county_codes}")
    result = RollupResult(year=year, county=",".join(sorted(county_codes)))
    _rollup_municipality(result, counties[0].municipality, counties, progress, False, part=COUNTY_PART)
    result.seconds = time.perf_counter() - started
    return result


def rollup_upper_part(year: int, *, municipality_code: str) -> RollupResult:
    """A fanned-out roll-up's last part, once every county part has committed: the counties'
    and the municipality's scorecards, in one transaction."""
    started = time.perf_counter()
    result = RollupResult(year=year, county=None)
    _rollup_municipality(result, Municipality.objects.get(code=municipality_code), None, None, False,
                         part=UPPER_PART)
    result.seconds = time.perf_counter() - started
    return result


def _refuse_if_frozen(settings: MunicipalYear, year: int, municipality: Municipality, *, force: bool) -> None:
    if (settings.is_published and not force
            and VillageScorecard.objects.filter(year_id=year, municipality_id=municipality.pk).exists()):
        # Shown on the run's page: in the language the worker runs in (the portal's).
        raise RollupRefused(str(_("The %(year)s assessment of %(municipality)s is published; its scores are "
                                  "frozen.") % {"year": year, "municipality": municipality.name}))


def _lock(settings: MunicipalYear, counties: list[County] | None, part: str) -> MunicipalYear:
    """Serialise roll-ups of one municipality's year. A whole run or an upper part locks the
    year's row; county parts share that lock, so they run side by side but never beside a
    whole run, and each also holds its counties' advisory locks (taken in id order) against a
    second part with one of them. Returns the row, read under the lock. (SQLite serialises
    writers anyway.)"""
    if part != COUNTY_PART or connection.vendor != "postgresql":
        return MunicipalYear.objects.select_for_update().get(pk=settings.pk)
    with connection.cursor() as cursor:
        # Django's select_for_update has no FOR SHARE.
        cursor.execute(f"SELECT id FROM {table(MunicipalYear)} WHERE id = %s FOR SHARE", (settings.pk,))
        for county_id in sorted(county.pk for county in counties or []):
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", (COUNTY_PART_LOCK, county_id))
    return MunicipalYear.objects.get(pk=settings.pk)


# The advisory locks' namespace (first key) for county parts; the second key is the county's id.
COUNTY_PART_LOCK = 17_0001


def _rollup_municipality(result: RollupResult, municipality: Municipality, counties: list[County] | None,
                         progress: Progress | None, force: bool, *, part: str = WHOLE) -> None:
    """One municipality's roll-up (or that of some of its counties and everything above them),
    or one part of a fanned-out run, in one transaction, counted into ``result``."""
    from wuqiang.scoring.services import scheme_for

    year = result.year
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # The results can always be recomputed: a crash just after commit may lose this run
            # (the previous results stay, whole), so the commit need not wait for the WAL flush.
            # Room for the roll-up's large hash aggregates and sorts, for this transaction only
            # (``ROLLUP_WORK_MEM``; set_config takes it as a parameter and checks it).
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
                cursor.execute("SELECT set_config('work_mem', %s, true)", (django_settings.ROLLUP_WORK_MEM,))
                # Compiling the long statements to machine code costs more than it saves
                # (2.3 s of the village scorecards' 12 s at 100,000 villages).
                cursor.execute("SET LOCAL jit TO OFF")
        settings = _lock(year_settings(year=year, municipality_id=municipality.pk), counties, part)
        _refuse_if_frozen(settings, year, municipality, force=force)
        scheme = scheme_for(municipality_id=municipality.pk, year=year)
        runner = _Runner(year, municipality, counties, progress, scheme)
        if part != UPPER_PART:
            _village_levels(runner, result, rules=part == WHOLE)
            result.villages += Village.objects.filter(county_id__in=runner.county_ids).count()
        if part != COUNTY_PART:
            runner.progress(85, "units")
            if part == UPPER_PART:  # the county parts' rows, committed since each analysed its own
                runner.analyze(VillageScorecard)
            _upper_levels(runner)
        runner.cursor.close()
        result.statements += runner.statements


def _village_levels(runner: _Runner, result: RollupResult, *, rules: bool) -> None:
    """The run's counties' villages (indicators, vetoes, scorecards, paths) and townships.
    ``rules``: also write the municipality's path rules (a fanned-out run writes them once, in
    ``prepare_fan_out``)."""
    runner.progress(2, "delete")
    runner.delete_village_levels()
    scheme = runner.scheme
    # Indicators grouped by the pillar whose records they read (and whose approval gates them).
    by_pillar: dict[str, list[tuple[SchemeIndicator, registry.IndicatorDef]]] = {}
    for indicator in scheme.indicators.all():
        definition = registry.indicator_def(indicator.code)
        if definition is None:
            result.skipped.append(indicator.code)
            logger.warning("Scheme %s of %s has indicator %s with no registered function", runner.year,
                           runner.municipality.code, indicator.code)
            continue
        by_pillar.setdefault(definition.pillar, []).append((indicator, definition))
    figures: dict[str, list[registry.FigureDef]] = {}
    for figure in registry.FIGURES.values():
        figures.setdefault(figure.pillar, []).append(figure)
    # Every pillar has its table, with or without indicators: its rows are its approved entries.
    for n, pillar in enumerate(Pillar.values, start=1):
        runner.compute_pillar(pillar, by_pillar.get(pillar, []), figures.get(pillar, []))
        runner.progress(5 + round(55 * n / len(Pillar.values)), f"pillar:{pillar}")
    runner.insert_indicators()

    for veto in scheme.vetoes.filter(enabled=True):
        definition = registry.VETOES.get(veto.code)
        if definition is not None:
            runner.insert_veto(veto.code, definition)
    runner.progress(70, "villages")
    runner.insert_villages()
    runner.drop_temporary()
    # The townships, the paths and the upper levels aggregate what was just written: without
    # fresh statistics the planner takes the year's 490,000 rows for a dozen and reads them one
    # by one through an index (45 s instead of 2 s). ANALYZE sees the transaction's own rows.
    runner.analyze(VillageScorecard)
    runner.insert_units(TownshipScorecard, "township_id", ["county_id", "municipality_id"], "county_id",
                        county_only=True)
    runner.refresh_next_year_change(VillageScorecard, "village_id", "total", by_county=True)
    runner.refresh_next_year_change(TownshipScorecard, "township_id", "mean_total", by_county=True)
    runner.statements += compute_paths(year=runner.year, county_ids=runner.county_ids, scheme=scheme,
                                       cursor=runner.cursor, rules=rules)
    # The run's counties' stored sheet counts, whatever wrote the entries (the seeder too).
    refresh_tallies(runner.county_ids, runner.year)


def _upper_levels(runner: _Runner) -> None:
    """The municipality's counties (ranked against each other) and the municipality, recomputed
    whole even after a one-county run: a few dozen rows at most."""
    runner.delete_upper_levels()
    # The village scores were just rewritten: plan the pages' reads of them for their new size.
    runner.analyze(VillageIndicators)
    runner.insert_units(CountyScorecard, "county_id", ["municipality_id"], "municipality_id", county_only=False)
    runner.insert_units(MunicipalScorecard, "municipality_id", [], None, county_only=False)
    runner.refresh_next_year_change(CountyScorecard, "county_id", "mean_total", by_county=False)
    runner.refresh_next_year_change(MunicipalScorecard, "municipality_id", "mean_total", by_county=False)
