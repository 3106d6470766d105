"""The indicator registry: what each pillar app declares in its ``indicators.py``.

Three kinds of set-based function, each ``(year: int) -> QuerySet`` returning one row per
village for the whole year — never a loop over villages:

* ``@indicator("O1", …)`` — rows with ``village_id`` and ``value`` (a number, or NULL for
  "none", e.g. a ratio whose denominator is zero). **Scores use approved data only**: the
  queryset starts from :func:`approved_entries`. An indicator declared with a counting
  ``unit`` (a ratio, or a count over a constant) also annotates ``denominator``, the value's
  base, so that the count behind it is value × denominator (:func:`share` gives both).
* ``@veto("income_below_10")`` — rows with ``village_id`` for every village the veto item
  hits, again from approved data only.
* ``@figures("organizations", columns=…)`` — SPEC §7's key figures, rows with ``village_id``
  and the named columns. **Figures count approved data only**, like scores (they start from
  :func:`approved_entries` too), so a scorecard never mixes two bases; the dashboards show
  beside them how many entries are still pending (``selectors.pending_entries``).

The roll-up (``rollup.py``) compiles each queryset to SQL and wraps it in an
``INSERT … SELECT``; it never evaluates them row by row. It computes the queries of a pillar
that read the same rows (same joins, filters and grouping) in one scan, so a village's records
are best read with the pillar's one join of them and conditional aggregates (``Count(…,
filter=…)``, :func:`any_among`), and another entry's facts (last year's, another pillar's)
with a join (:func:`village_entry`), not with correlated subqueries, which run once per
village and per mention of the annotation.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import (
    Case,
    Count,
    F,
    FilteredRelation,
    FloatField,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.expressions import Combinable, Expression
from django.db.models.functions import Cast, NullIf
from django.db.models.lookups import GreaterThan
from django.utils.functional import Promise
from django.utils.translation import pgettext_lazy

from wuqiang.entries.models import Entry, EntryState

IndicatorFn = Callable[[int], QuerySet]


class Kind:
    """What an indicator's value is, for display."""

    FLAG = "flag"  # 1 = yes, 0 = no
    RATIO = "ratio"  # shown as a percentage
    COUNT = "count"
    MONEY = "money"  # 万元


@dataclass(frozen=True)
class IndicatorDef:
    code: str
    pillar: str
    function: IndicatorFn
    kind: str
    description: str | Promise
    # For indicators whose rows also carry ``basis`` (a short code) and ``reference`` (a number):
    # turns them into the "why" the village scorecard shows, e.g. which pay standard applied.
    explain: Callable[[str, Any], str] | None = None
    # For ratios: what the numerator and the denominator count ("households"); rows then also
    # carry ``denominator``. ``money``: they are amounts in 万元, not whole things.
    unit: str | Promise | None = None
    money: bool = False

    @property
    def basis(self) -> bool:
        return self.explain is not None

    @property
    def has_denominator(self) -> bool:
        return self.unit is not None


@dataclass(frozen=True)
class VetoDef:
    code: str
    function: IndicatorFn


@dataclass(frozen=True)
class FigureDef:
    name: str
    pillar: str
    function: IndicatorFn
    columns: tuple[str, ...]


# Counting units of the ratio indicators, for "412 of 980 households: 568 more households", in
# a context of their own ("households" is also a form label, translated differently). The
# context is spelled out at each call: makemessages reads only literal strings.
HOUSEHOLDS = pgettext_lazy("counting unit", "households")
MONTHS = pgettext_lazy("counting unit", "months")

INDICATORS: dict[str, IndicatorDef] = {}
VETOES: dict[str, VetoDef] = {}
FIGURES: dict[str, FigureDef] = {}


def indicator(code: str, *, pillar: str, kind: str = Kind.RATIO, description: str | Promise = "",
              explain: Callable[[str, Any], str] | None = None, unit: str | Promise | None = None,
              money: bool = False):
    """Register ``(year) -> QuerySet[village_id, value]`` as the value of indicator ``code``
    (with ``explain``: rows also carry ``basis`` and ``reference``, stored beside the value; with
    ``unit``, a lazy counting unit: rows also carry ``denominator``, stored beside the value)."""

    def register(function: IndicatorFn) -> IndicatorFn:
        INDICATORS[code] = IndicatorDef(code, str(pillar), function, kind, description, explain, unit, money)
        return function

    return register


def veto(code: str):
    """Register ``(year) -> QuerySet[village_id]``: the villages veto item ``code`` hits."""

    def register(function: IndicatorFn) -> IndicatorFn:
        VETOES[code] = VetoDef(code, function)
        return function

    return register


def figures(name: str, *, pillar: str, columns: tuple[str, ...]):
    """Register ``(year) -> QuerySet[village_id, *columns]`` of key figures (approved entries only)."""

    def register(function: IndicatorFn) -> IndicatorFn:
        FIGURES[name] = FigureDef(name, str(pillar), function, tuple(columns))
        return function

    return register


def indicator_def(code: str) -> IndicatorDef | None:
    return INDICATORS.get(code)


# --- Building blocks for the pillar apps ------------------------------------------------------


def approved_entries(year: int, pillar: str) -> QuerySet:
    """The approved village-level entries of one pillar and year: the base of every score and
    every figure."""
    return Entry.objects.filter(year_id=year, pillar=pillar, state=EntryState.APPROVED, village__isnull=False)


def village_entry(year: int, pillar: str) -> FilteredRelation:
    """The same village's approved ``pillar`` entry of ``year`` (another pillar, or last year),
    as a LEFT JOIN to annotate an entry queryset with (``.alias(name=village_entry(…))``, then
    ``F("name__<profile>__<field>")``): at most one row per village (``entry_unique_per_village``),
    and unlike a correlated subquery it is read once however often an expression names it."""
    return FilteredRelation("village__entries", condition=Q(
        village__entries__year_id=year, village__entries__pillar=pillar, village__entries__state=EntryState.APPROVED))


def flag(condition_or_field) -> Case:
    """1.0 for True, 0.0 for False, NULL when not answered; accepts a field name or a Q."""
    if isinstance(condition_or_field, str):
        return Case(
            When(**{condition_or_field: True}, then=Value(1.0)),
            When(**{condition_or_field: False}, then=Value(0.0)),
            default=None, output_field=FloatField(),
        )
    return Case(When(condition_or_field, then=Value(1.0)), default=Value(0.0), output_field=FloatField())


def one_if(condition) -> Case:
    """1 where the field/Q holds, else 0 (an integer, for counting figures)."""
    when = When(**{condition: True}, then=Value(1)) if isinstance(condition, str) else When(condition,
                                                                                          then=Value(1))
    return Case(when, default=Value(0), output_field=IntegerField())


def as_float(expression: Combinable | str) -> Cast:
    return Cast(F(expression) if isinstance(expression, str) else expression, FloatField())


def ratio(numerator: Combinable | str, denominator: Combinable | str) -> Expression:
    """numerator / denominator as a float; NULL when the denominator is zero or missing."""
    den = F(denominator) if isinstance(denominator, str) else denominator
    return as_float(numerator) / NullIf(as_float(den), Value(0.0))


def share(numerator: Combinable | str, denominator: Combinable | str | float) -> dict[str, Expression]:
    """``value`` (numerator / denominator, as :func:`ratio`) and ``denominator`` (as a float),
    to annotate together: ``.annotate(**share("visited", "households"))``. A number is a
    constant base (32 meetings, 12 months)."""
    if isinstance(denominator, int | float):
        base = Value(float(denominator))
        return {"value": as_float(numerator) / base, "denominator": base}
    return {"value": ratio(numerator, denominator), "denominator": as_float(denominator)}


def any_among(records: str, condition: Q) -> Case:
    """1.0 where one of the entry's ``records`` (a reverse relation name) meets ``condition``
    (a Q on that relation's fields), else 0.0: a conditional count over the one join of the
    records that the pillar's other counts share, instead of an EXISTS per indicator."""
    return Case(When(GreaterThan(Count(records, filter=condition), 0), then=Value(1.0)), default=Value(0.0),
                output_field=FloatField())


def describe_rule(rule: str, params: dict, points) -> str:
    """The rule in words, for the village scorecard and the scheme page."""
    from django.utils.translation import gettext as _

    from wuqiang.scoring.models import Rule

    params = params or {}
    if rule == Rule.YES_NO:
        text = _("yes = %(points)s points, no = 0") % {"points": points}
    elif rule == Rule.LINEAR:
        text = _("linear from %(low)s (0 points) to %(high)s (%(points)s points), capped") % {
            "low": params.get("low", 0), "high": params.get("high", 1), "points": points,
        }
    else:
        parts = [_("from %(threshold)s: %(points)s") % {"threshold": t, "points": p}
                 for t, p in params.get("bands", [])]
        text = _("bands: %(bands)s") % {"bands": "; ".join(parts)}
    if params.get("none_full"):
        text += _("; none = full points")
    return text
