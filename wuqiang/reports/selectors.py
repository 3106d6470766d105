"""Reads behind the Excel reports.

Every query starts from ``visible_to(user)`` (the one scope rule) and is narrowed to the
report's unit through the model's own ``scope_paths``; scores come from the stored
scorecards and raw data from approved entries only. Nothing here computes a score.
Large results are streamed (server-side cursors on PostgreSQL), never loaded whole.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Max, Min, OuterRef, QuerySet, Subquery
from django.http import Http404
from django.utils.translation import gettext

from wuqiang.accounts.scope import Scope, get_visible_or_404
from wuqiang.entries.models import Entry, EntryState
from wuqiang.entries.registry import PillarSheet, RecordSheet
from wuqiang.regions.models import (
    CODE_LENGTH,
    County,
    Level,
    Municipality,
    MunicipalYear,
    Township,
    Village,
)
from wuqiang.scoring.models import (
    CountyScorecard,
    DemonstrationNomination,
    Grade,
    MunicipalScorecard,
    NominationStatus,
    Scheme,
    SchemeIndicator,
    TownshipScorecard,
    VillageIndicatorScore,
    VillageScorecard,
)

CHUNK = 10000
UNIT_MODELS: dict[int, type] = {Level.MUNICIPALITY: Municipality, Level.COUNTY: County,
                                Level.TOWNSHIP: Township, Level.VILLAGE: Village}
UNIT_CARDS: dict[int, type] = {Level.MUNICIPALITY: MunicipalScorecard, Level.COUNTY: CountyScorecard,
                               Level.TOWNSHIP: TownshipScorecard, Level.VILLAGE: VillageScorecard}
# The ancestors each level's pages name, loaded with the unit.
_CHAINS = {Level.MUNICIPALITY: (), Level.COUNTY: ("municipality",), Level.TOWNSHIP: ("county__municipality",),
           Level.VILLAGE: ("township__county__municipality",)}


class Operator:
    """Whoever runs ``manage.py export_report`` on the server: sees everything, like an admin."""

    is_authenticated = True
    is_active = True
    pk = None
    username = "operator"

    @property
    def display_name(self) -> str:
        return gettext("Server operator")

    def compute_scope(self) -> Scope:
        return Scope(everything=True)


# --- The unit, its year, its scheme --------------------------------------------------------------


def visible_unit_or_404(user: Any, code: str, level: int | None = None) -> Any:
    """The unit with this division code inside the user's scope, or 404. Without ``level`` the
    levels are tried top down (a municipality's code has the length of a county's)."""
    levels = [level] if level is not None else [lvl for lvl in UNIT_MODELS if CODE_LENGTH[lvl] == len(code)]
    for candidate in levels:
        model = UNIT_MODELS[candidate]
        queryset = model.objects.select_related(*_CHAINS[candidate])
        try:
            return get_visible_or_404(queryset, user, code=code)
        except Http404:
            continue
    raise Http404("No unit with this code in your scope.")


def municipality_of(unit: Any) -> Municipality:
    return unit if isinstance(unit, Municipality) else unit.ancestors()[0]


def report_scheme(municipality: Municipality, year: int) -> Scheme | None:
    """The municipality's scheme its scorecards were computed with (read, never created: the
    report runs in a read-only transaction)."""
    return Scheme.objects.filter(municipality=municipality, year_id=year).first()


def year_state_label(municipality: Municipality, year: int) -> str:
    """The municipality's state of the year (open, closed, published) as the report states it."""
    settings = MunicipalYear.objects.filter(municipality=municipality, year_id=year).first()
    return str(settings.get_state_display()) if settings else ""


def scheme_indicators(scheme: Scheme | None) -> list[SchemeIndicator]:
    return list(scheme.indicators.order_by("position", "code")) if scheme else []


def in_unit(queryset: QuerySet, unit: Any) -> QuerySet:
    """Narrow ``queryset`` to ``unit``, through the model's path to that level (``scope_paths``)."""
    return queryset.filter(**{queryset.model.scope_paths[unit.level]: unit.pk})


# --- Stored scorecards ---------------------------------------------------------------------------


def unit_card(user: Any, unit: Any, year: int) -> Any | None:
    """The unit's own stored scorecard for the year (a village's is its village scorecard)."""
    model = UNIT_CARDS[unit.level]
    return in_unit(model.objects.visible_to(user).for_year(year), unit).first()


def levels_below(unit: Any) -> list[int]:
    """The levels with a league table in this unit's report: counties then townships."""
    return [level for level in (Level.COUNTY, Level.TOWNSHIP) if level > unit.level]


def league(user: Any, unit: Any, year: int, level: int) -> QuerySet:
    """Stored scorecards of the units of ``level`` inside ``unit``: counties by rank, townships
    by county then rank in the county."""
    if level == Level.COUNTY:
        queryset = CountyScorecard.objects.select_related("county").order_by("rank", "county__code")
    else:
        queryset = TownshipScorecard.objects.select_related("township", "county").order_by(
            "county__code", "rank", "township__code")
    return in_unit(queryset.visible_to(user).for_year(year), unit)


def _village_cards(user: Any, unit: Any, year: int) -> QuerySet:
    return in_unit(VillageScorecard.objects.visible_to(user).for_year(year), unit)


VILLAGE_CARD_COLUMNS = ("village_id", "village__code", "village__name", "township__name", "county__name",
                        "organizations", "talent", "economy", "governance", "support", "total", "grade", "rank",
                        "total_change", "vetoes", "approved_pillars")


def village_rows(user: Any, unit: Any, year: int) -> Iterator[tuple[tuple, dict[str, tuple]]]:
    """Each village scorecard inside ``unit`` by village code (``VILLAGE_CARD_COLUMNS``), with
    its stored indicator scores as {code: (value, points)} — no entry for an indicator whose
    pillar was not approved.

    Two streams in the same order (village code) merged as they come: the scorecards, and the
    score rows (which PostgreSQL reads along the village code index, one index lookup per
    village, with no sort). A pivot in SQL instead — one aggregate per indicator over every
    score row — took 29 s for 100,000 villages on PostgreSQL; this takes a few.
    """
    cards = _village_cards(user, unit, year).order_by("village__code").values_list(*VILLAGE_CARD_COLUMNS)
    scores = (in_unit(VillageIndicatorScore.objects.visible_to(user).filter(year_id=year), unit)
              .order_by("village__code").values_list("village__code", "code", "value", "points"))
    pending = scores.iterator(chunk_size=CHUNK)
    score = next(pending, None)
    for card in cards.iterator(chunk_size=CHUNK):
        code = card[1]
        found: dict[str, tuple] = {}
        # Score rows of a village without a scorecard would be passed over (the roll-up writes both at once).
        while score is not None and score[0] < code:
            score = next(pending, None)
        while score is not None and score[0] == code:
            found[score[1]] = (score[2], score[3])
            score = next(pending, None)
        yield card, found


def failing_villages(user: Any, unit: Any, year: int) -> QuerySet:
    """Villages graded 未达标 inside ``unit``: veto items first, then lowest total."""
    return (_village_cards(user, unit, year).filter(grade=Grade.FAIL)
            .order_by("-vetoes", "total", "village__code")
            .values_list("village__code", "village__name", "township__name", "county__name", "total", "grade",
                         "approved_pillars", "vetoes"))


def nominations(user: Any, unit: Any, year: int, status: str = "") -> QuerySet:
    """Demonstration nominations inside ``unit`` with each village's stored total and grade."""
    card = VillageScorecard.objects.filter(year_id=OuterRef("year_id"), village_id=OuterRef("village_id"))
    queryset = in_unit(DemonstrationNomination.objects.visible_to(user).filter(year_id=year), unit)
    if status:
        queryset = queryset.filter(status=status)
    return (queryset.annotate(card_total=Subquery(card.values("total")[:1]),
                              card_grade=Subquery(card.values("grade")[:1]))
            .order_by("village__code")
            .values_list("village__code", "village__name", "village__township__name", "village__county__name",
                         "card_total", "card_grade", "status", "decided_at", "note"))


def confirmed_nominations(user: Any, unit: Any, year: int) -> QuerySet:
    return nominations(user, unit, year, NominationStatus.CONFIRMED)


# --- Freshness -----------------------------------------------------------------------------------


@dataclass
class Freshness:
    computed_at: datetime.datetime | None
    # The latest approval the stored scorecards do not include yet (None: they include all).
    approved_since: datetime.datetime | None


def freshness(user: Any, unit: Any, year: int, card: Any | None) -> Freshness:
    """Whether an entry in ``unit`` was approved after the scorecards that include it were
    computed, county by county: a roll-up recomputes a whole county (or the whole year) at
    once, so each county's approvals are compared with its oldest village scorecard — a
    conservative test, and two small aggregates whatever the size (a per-entry comparison
    took 11 s for 100,000 villages, and a join two minutes under stale planner statistics)."""
    approved = in_unit(Entry.objects.visible_to(user).filter(year_id=year, state=EntryState.APPROVED), unit)
    approvals = approved.order_by().values("county_id").annotate(latest=Max("reviewed_at"))
    computed = dict(_village_cards(user, unit, year).order_by().values("county_id")
                    .annotate(oldest=Min("computed_at")).values_list("county_id", "oldest"))
    late = [row["latest"] for row in approvals
            if row["latest"] is not None and (computed.get(row["county_id"]) is None
                                              or row["latest"] > computed[row["county_id"]])]
    return Freshness(computed_at=card.computed_at if card else None, approved_since=max(late) if late else None)


# --- Approved raw data ---------------------------------------------------------------------------


def approved_entries(user: Any, unit: Any, year: int, sheet: PillarSheet) -> QuerySet:
    entries = Entry.objects.visible_to(user).filter(year_id=year, pillar=sheet.pillar, state=EntryState.APPROVED,
                                                    village__isnull=sheet.level != Level.VILLAGE)
    return in_unit(entries, unit)


def profile_rows(user: Any, unit: Any, year: int, sheet: PillarSheet, fields: Sequence[str]) -> Iterator[tuple]:
    """(unit code, unit name, *fields) per approved entry of ``sheet``, by code."""
    unit_path = "entry__village" if sheet.level == Level.VILLAGE else "entry__township"
    return (sheet.profile_model.objects.filter(entry__in=approved_entries(user, unit, year, sheet))
            .order_by(f"{unit_path}__code")
            .values_list(f"{unit_path}__code", f"{unit_path}__name", *fields)
            .iterator(chunk_size=CHUNK))


def record_rows(user: Any, unit: Any, year: int, sheet: PillarSheet, records: RecordSheet,
                fields: Sequence[str]) -> Iterator[tuple]:
    """(village code, *fields) per record of an approved entry of ``sheet``, by village code."""
    unit_path = "entry__village" if sheet.level == Level.VILLAGE else "entry__township"
    return (records.model.objects.filter(entry__in=approved_entries(user, unit, year, sheet))
            .order_by(f"{unit_path}__code", "pk")
            .values_list(f"{unit_path}__code", *fields)
            .iterator(chunk_size=CHUNK))


def record_count(user: Any, unit: Any, year: int, sheet: PillarSheet, records: RecordSheet) -> int:
    return records.model.objects.filter(entry__in=approved_entries(user, unit, year, sheet)).count()


def villages_in(user: Any, unit: Any) -> int:
    """How many villages a report of ``unit`` covers (decides how it is delivered)."""
    if isinstance(unit, Village):
        return 1
    return in_unit(Village.objects.visible_to(user), unit).count()


# --- Inspection tickets ------------------------------------------------------------------------------


def tickets(user: Any, unit: Any, year: int) -> QuerySet:
    """Tickets to ``unit`` or inside it that ``user`` may see: open ones, and those issued in ``year``."""
    from django.db.models import Q

    from wuqiang.tickets.models import OPEN_STATES, Ticket

    return (Ticket.objects.visible_to(user).to_unit(unit)
            .filter(Q(state__in=OPEN_STATES) | Q(issued_at__year=year))
            .select_related("county", "township", "village", "issuer").order_by("deadline", "pk"))


def grade_paths(user: Any, unit: Any, year: int) -> Iterator[tuple[tuple, list]]:
    """Each village's stored path to the next grade inside ``unit`` (by village code), with its
    steps (issue 18): two streams in village-code order merged as they come, like village_rows."""
    from wuqiang.scoring.models import VillagePath, VillagePathStep

    paths = (in_unit(VillagePath.objects.visible_to(user).filter(year_id=year), unit)
             .exclude(next_grade="").order_by("village__code")
             .values_list("village__code", "village__name", "township__name", "county__name", "next_grade",
                          "points_needed", "pillars_short"))
    steps = (in_unit(VillagePathStep.objects.visible_to(user).filter(year_id=year), unit)
             .select_related("village").only("village__code", "kind", "code", "value", "denominator", "target",
                                             "gain", "reference", "available")
             .order_by("village__code"))
    pending = steps.iterator(chunk_size=CHUNK)
    step = next(pending, None)
    for path in paths.iterator(chunk_size=CHUNK):
        code = path[0]
        found = []
        while step is not None and step.village.code < code:
            step = next(pending, None)
        while step is not None and step.village.code == code:
            found.append(step)
            step = next(pending, None)
        yield path, found
