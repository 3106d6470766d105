"""Reads of the stored scorecards for dashboards: a bounded number of queries each, whatever
the number of villages, and never an indicator computed on a page view."""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import models
from django.db.models import Case, Count, Q, QuerySet, Value, When
from django.utils.translation import gettext as _

from wuqiang.entries.models import Entry, EntryState, Pillar
from wuqiang.regions.models import County, Level, Municipality, Township, Village
from wuqiang.scoring import indicators as registry
from wuqiang.scoring.indicators import Kind, describe_rule
from wuqiang.scoring.models import (
    CountyScorecard,
    FailKind,
    Grade,
    MunicipalScorecard,
    RollupRun,
    RunState,
    Scheme,
    TownshipScorecard,
    VillageIndicatorScore,
    VillageScorecard,
)

# Where each level's scorecards live, and which column names the unit in village scorecards.
SCORECARD_OF = {Municipality: MunicipalScorecard, County: CountyScorecard, Township: TownshipScorecard,
                Village: VillageScorecard}
VILLAGE_COLUMN_OF = {Municipality: "municipality", County: "county", Township: "township", Village: "village"}


def unit_scorecard(unit: Any, year: int) -> Any | None:
    model = SCORECARD_OF[type(unit)]
    return model.objects.filter(year_id=year, **{VILLAGE_COLUMN_OF[type(unit)]: unit}).first()


def child_scorecards(unit: Any, year: int, user: Any) -> QuerySet:
    """The scorecards of the units one level down, best first, inside the user's scope."""
    if isinstance(unit, Municipality):
        qs = CountyScorecard.objects.filter(municipality=unit).select_related("county")
    elif isinstance(unit, County):
        qs = TownshipScorecard.objects.filter(county=unit).select_related("township")
    else:
        qs = VillageScorecard.objects.filter(township=unit).select_related("village")
    return qs.visible_to(user).filter(year_id=year).order_by("rank", "pk")


ALL_PILLARS = len(Pillar.values)


def failing_villages(unit: Any, year: int, user: Any, kind: str | None = None) -> QuerySet:
    """Villages graded 未达标 inside ``unit`` and the user's scope, each annotated with its
    ``fail_kind``; vetoed first, then incomplete, then lowest total. ``kind`` keeps one kind."""
    qs = (VillageScorecard.objects.visible_to(user)
          .filter(year_id=year, grade=Grade.FAIL, **{VILLAGE_COLUMN_OF[type(unit)]: unit})
          .annotate(fail_kind=Case(
              When(~Q(vetoes=""), then=Value(FailKind.VETOED.value)),
              When(approved_pillars__lt=ALL_PILLARS, then=Value(FailKind.INCOMPLETE.value)),
              default=Value(FailKind.BELOW.value), output_field=models.CharField()))
          .select_related("village", "township", "county"))
    if kind:
        qs = qs.filter(fail_kind=kind)
    return qs.order_by("-vetoes", "approved_pillars", "total", "village__code")


def failing_counts(unit: Any, year: int, user: Any) -> dict[str, int]:
    """How many failing villages of each kind (one grouped query)."""
    # COUNT(*), not COUNT(id): the kinds are counted from the failing-list index alone.
    rows = failing_villages(unit, year, user).order_by().values("fail_kind").annotate(n=Count("*"))
    counts = {kind: 0 for kind in FailKind.values}
    counts.update({row["fail_kind"]: row["n"] for row in rows})
    return counts


def last_run(municipality_id: int, year: int) -> RollupRun | None:
    """The municipality's latest finished roll-up of ``year``: "computed at" on every dashboard."""
    return (RollupRun.objects.filter(municipality_id=municipality_id, year_id=year, state=RunState.DONE)
            .order_by("-finished_at", "-pk").first())


@dataclass
class EntryProgress:
    """How many of a scope's village sheets are approved — the basis of every figure and score
    on its scorecard — and how many are still pending, by state."""

    expected: int
    approved: int = 0
    submitted: int = 0
    returned: int = 0
    draft: int = 0

    @property
    def not_started(self) -> int:
        return max(0, self.expected - self.approved - self.submitted - self.returned - self.draft)

    @property
    def pending(self) -> int:
        return self.expected - self.approved


# Which entries lie in a unit, by the unit's level.
_ENTRY_SCOPE = {Municipality: "county__municipality", County: "county", Township: "township", Village: "village"}


def pending_entries(unit: Any, year: int, user: Any, villages: int) -> EntryProgress:
    """The unit's village sheets by review state (inside the user's scope), against the
    ``villages`` × village sheets the scope should have: what is not approved yet is what the
    stored figures leave out. A whole city is read from its counties' stored tallies
    (``entries/tallies.py``), anything smaller counted live (one grouped count)."""
    from wuqiang.accounts.scope import Scope
    from wuqiang.entries.registry import village_sheets
    from wuqiang.entries.tallies import count_by_state, tallied_by_state

    scope = Scope.of(user)
    whole_city = scope.everything or (scope.level, scope.unit_id) == (Level.MUNICIPALITY, unit.pk)
    if isinstance(unit, Municipality) and whole_city:
        # The whole city: its counties' stored tallies, not every entry of the city.
        counts = tallied_by_state(municipality_id=unit.pk, year=year)
    else:
        counts = count_by_state(Entry.objects.visible_to(user).filter(year_id=year,
                                                                      **{_ENTRY_SCOPE[type(unit)]: unit}))
    return EntryProgress(expected=villages * len(village_sheets()),
                         **{state: counts.get(state, 0) for state in EntryState.values})


@dataclass
class Figure:
    label: str
    value: Any
    unit: str = ""


def headline_figures(card: Any, townships: int | None = None) -> list[Figure]:
    """SPEC §7's figures for a scope, from its stored scorecard."""
    if card is None:
        return []
    figures = [Figure(_("Administrative villages"), card.villages)]
    if townships is not None:
        figures.append(Figure(_("Townships"), townships))
    figures += [
        Figure(_("Secretary also the village committee director"),
               "—" if card.combined_share is None else f"{card.combined_share} %",
               _("%(n)s villages") % {"n": card.combined}),
        Figure(_("Secretaries in the competition"), card.competition),
        Figure(_("First secretaries and work-team members in post"), card.sent_down_in_post),
        Figure(_("Leading-talent / reserve trainees"), f"{card.leader_trainees} / {card.reserve_trainees}"),
        Figure(_("Trainees now on the village committees"), card.trainees_now_cadre),
        Figure(_("Revitalisation instructors / technology commissioners"),
               f"{card.instructors_in_post} / {card.tech_commissioners_in_post}"),
        Figure(_("Collective-economy demonstration bases"), card.demonstration_bases),
        Figure(_("Villages with operating income above 500,000 yuan"), card.income_above_50),
        Figure(_("Villages with operating income below 100,000 yuan"), card.income_below_10),
        Figure(_("Total operating income"), card.operating_income if card.operating_income is not None else "—",
               _("10,000 yuan")),
        Figure(_("Mean monthly pay: secretary-directors / secretaries and directors / deputies"),
               " / ".join(_round(v) for v in (card.mean_pay_combined, card.mean_pay_principal,
                                              card.mean_pay_deputy)), _("yuan")),
    ]
    return figures


def _round(value: Decimal | None) -> str:
    return "—" if value is None else f"{value.quantize(Decimal(1)):,}"


def grade_chart(card: Any) -> dict:
    return {"labels": [str(label) for _, label, _ in card.grade_counts()],
            "values": [n for _, _, n in card.grade_counts()]} if card else {"labels": [], "values": []}


def pillar_chart(values: list[tuple[str, Any]], maximum: Decimal) -> dict:
    return {"labels": [str(label) for label, _ in values], "values": [float(v) for _, v in values],
            "max": float(maximum)}


@dataclass
class IndicatorLine:
    code: str
    name: str
    description: str
    pillar: str
    value: str
    points: Decimal | None
    maximum: Decimal
    rule: str
    # What the value was measured against, where the indicator says (e.g. S1's pay standard).
    why: str = ""


def village_indicator_lines(card: VillageScorecard | None, scheme: Scheme | None) -> list[IndicatorLine]:
    """Every indicator of the municipality's scheme with the village's value and points (two
    queries)."""
    if scheme is None:
        return []
    scores = {}
    if card is not None:
        scores = {s.code: s for s in VillageIndicatorScore.objects.filter(year_id=scheme.year_id,
                                                                          village_id=card.village_id)}
    lines = []
    for item in scheme.indicators.all():
        score = scores.get(item.code)
        definition = registry.indicator_def(item.code)
        lines.append(IndicatorLine(
            code=item.code, name=item.name, pillar=item.pillar,
            description=str(definition.description) if definition else "",
            value=_display(score.value, definition.kind if definition else Kind.RATIO) if score else "",
            points=score.points if score else None, maximum=item.points,
            rule=describe_rule(item.rule, item.params, item.points),
            why=definition.explain(score.basis, score.reference) if score and definition and definition.explain
            and score.basis else "",
        ))
    return lines


def _display(value: float | None, kind: str) -> str:
    if value is None:
        return _("none")
    if kind == Kind.FLAG:
        return _("yes") if value >= 1 else _("no")
    if kind == Kind.RATIO:
        return f"{value * 100:.1f} %"
    if kind == Kind.MONEY:
        return f"{value:,.2f}"
    return f"{value:g}"


def pillar_labels() -> dict[str, str]:
    return {p.value: str(p.label) for p in Pillar}


@dataclass
class NominationRow:
    nomination: Any
    card: VillageScorecard | None
    why: str


def nomination_rows(nominations: Any, year: int, scheme: Scheme | None) -> list[NominationRow]:
    """The page's nominations with each village's stored scorecard and why it was proposed (one
    query for the scorecards of the page)."""
    nominations = list(nominations)
    cards = {c.village_id: c for c in VillageScorecard.objects.filter(
        year_id=year, village_id__in=[n.village_id for n in nominations])}
    rows = []
    for nomination in nominations:
        card = cards.get(nomination.village_id)
        why = ""
        if card is not None and scheme is not None:
            why = _("total %(total)s ≥ %(line)s, every pillar ≥ %(pillar)s, no veto item") % {
                "total": card.total, "line": scheme.exemplary_total, "pillar": scheme.exemplary_pillar_min}
        rows.append(NominationRow(nomination, card, why))
    return rows


# --- Path to the next grade ---------------------------------------------------------------------


@dataclass
class PathLine:
    kind: str
    code: str
    label: str
    # What to do, in the village's own terms ("412 of 980 households: 568 more households").
    action: str
    gain: Decimal | None
    available: Decimal | None


@dataclass(frozen=True)
class StepTerms:
    """A ratio step in the village's own terms: ``now`` of ``base`` ``unit`` and ``more`` to go
    (whole things, or 万元 to 0.1 when ``money``)."""

    now: float
    base: float
    more: float
    unit: str
    money: bool

    def text(self) -> str:
        if self.money:
            return _("%(now)s of %(base)s %(unit)s: %(more)s %(unit)s more") % {
                "now": f"{self.now:,.1f}", "base": f"{self.base:,.1f}", "more": f"{self.more:,.1f}",
                "unit": self.unit}
        return _("%(now)s of %(base)s %(unit)s: %(more)s more %(unit)s") % {
            "now": _count(self.now), "base": _count(self.base), "more": _count(self.more), "unit": self.unit}


def _count(number: float) -> str:
    """A count as people write it: 412, or 12.5 (hours) — never 411.99999999."""
    return f"{round(number, 6):,.6f}".rstrip("0").rstrip(".")


def still_needed(value: float, target: float, denominator: float, *, step: float = 1) -> float:
    """The least number of ``step``s (1 = whole things, 0.1 = 万元 to one decimal) that takes
    ``value`` (a share of ``denominator``) to ``target``: ceil((target − value) × denominator),
    rounded to 1e-9 first so float error ((1 − 412/980) × 980 = 568.0000000000001) does not
    add one."""
    more = round((target - value) * denominator / step, 9)
    return round(math.ceil(more) * step, 9)


def step_terms(step: Any, definition: registry.IndicatorDef | None) -> StepTerms | None:
    """The step in counts (households, meetings, 万元…) where its indicator is a ratio with a
    stored, non-zero base; None otherwise (the step is then told as values)."""
    if (definition is None or not definition.has_denominator or not step.denominator
            or step.value is None or step.target is None):
        return None
    money = definition.money
    return StepTerms(now=step.value * step.denominator, base=step.denominator,
                     more=still_needed(step.value, step.target, step.denominator, step=0.1 if money else 1),
                     unit=str(definition.unit), money=money)


def _step_action(step: Any, name: str, kind: str) -> str:
    if step.code == "S1" and step.reference is not None:
        return _("secretary's pay below the standard of %(standard)s yuan: raise it to the standard") % {
            "standard": f"{int(step.reference):,}"}
    if kind == Kind.FLAG:
        return _("now “%(now)s”: make it “yes”") % {"now": _display(step.value, kind)}
    if step.target is None:
        return _("no value yet: enter it")
    terms = step_terms(step, registry.indicator_def(step.code))
    if terms is not None:
        return terms.text()
    unit = " " + _("10,000 yuan") if kind == Kind.MONEY else ""
    return _("%(now)s → %(target)s%(unit)s") % {
        "now": _display(step.value, kind), "target": _display(step.target, kind), "unit": unit}


def step_action(step: Any) -> str:
    """What a stored step asks for, in words (the page's "what would earn the points")."""
    from wuqiang.scoring.models import StepKind

    if step.kind == StepKind.VETO:
        return _("must be cleared: it caps the grade at not up to standard")
    if step.kind == StepKind.PILLAR:
        return _("enter the sheet and have it approved: up to")
    definition = registry.indicator_def(step.code)
    return _step_action(step, "", definition.kind if definition else Kind.RATIO)


def village_path(card: VillageScorecard | None, scheme: Scheme | None) -> dict[str, Any] | None:
    """The stored path of a village to its next grade, vetoes first, then by points gained
    (two queries)."""
    from wuqiang.scoring.models import StepKind, VetoCode, VillagePath, VillagePathStep

    if card is None or scheme is None:
        return None
    path = VillagePath.objects.filter(year_id=card.year_id, village_id=card.village_id).first()
    if path is None:
        return None
    names = {i.code: i.name for i in scheme.indicators.all()}
    vetoes, pillars = dict(VetoCode.choices), pillar_labels()
    order = {StepKind.VETO: 0, StepKind.INDICATOR: 1, StepKind.PILLAR: 1}
    steps = sorted(VillagePathStep.objects.filter(year_id=card.year_id, village_id=card.village_id),
                   key=lambda s: (order.get(s.kind, 2), -(s.gain or 0), s.code))
    lines = []
    for step in steps:
        if step.kind == StepKind.VETO:
            lines.append(PathLine(step.kind, step.code, str(vetoes.get(step.code, step.code)), step_action(step),
                                  None, None))
        elif step.kind == StepKind.PILLAR:
            lines.append(PathLine(step.kind, step.code, pillars.get(step.code, step.code), step_action(step),
                                  step.gain, step.available))
        else:
            lines.append(PathLine(step.kind, step.code, names.get(step.code, step.code), step_action(step),
                                  step.gain, step.available))
    labels = dict(Grade.choices)
    short = [pillars.get(p, p) for p in path.pillars_short.split(",") if p]
    return {"path": path, "next_label": labels.get(path.next_grade, ""), "pillars_short": short, "lines": lines}


def describe_steps(steps: list[Any], names: dict[str, str]) -> list[str]:
    """Steps as short sentences for a report cell, vetoes first, then by points gained."""
    from wuqiang.scoring.models import StepKind, VetoCode

    vetoes, pillars = dict(VetoCode.choices), pillar_labels()
    order = {StepKind.VETO: 0}
    texts = []
    for step in sorted(steps, key=lambda s: (order.get(s.kind, 1), -(s.gain or 0), s.code)):
        if step.kind == StepKind.VETO:
            texts.append(_("clear: %(item)s") % {"item": vetoes.get(step.code, step.code)})
        elif step.kind == StepKind.PILLAR:
            texts.append(_("%(pillar)s: have it approved, up to +%(gain)s") % {
                "pillar": pillars.get(step.code, step.code), "gain": step.gain})
        else:
            definition = registry.indicator_def(step.code)
            kind = definition.kind if definition else Kind.RATIO
            texts.append(f"{step.code} {names.get(step.code, '')} "
                         f"{_step_action(step, names.get(step.code, ''), kind)} +{step.gain}")
    return texts
