"""Reads of tickets: always through the scope rule, and the dashboards through the stored tallies."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet

from wuqiang.accounts.models import Role
from wuqiang.accounts.scope import unit_ids
from wuqiang.regions.models import County, Level, Township, Village
from wuqiang.tickets.models import Ticket, TicketState, TicketTally, today

OVERDUE_SHOWN = 20
CHILDREN = {Level.MUNICIPALITY: (Level.COUNTY, County, "municipality_id"),
            Level.COUNTY: (Level.TOWNSHIP, Township, "county_id"),
            Level.TOWNSHIP: (Level.VILLAGE, Village, "township_id")}


def visible_tickets(user: Any) -> QuerySet[Ticket]:
    return (Ticket.objects.visible_to(user)
            .select_related("county", "township", "village", "issuer"))


def ticket_for(user: Any, pk: int) -> Ticket:
    """One ticket inside the user's scope, or 404."""
    from wuqiang.accounts.scope import get_visible_or_404

    return get_visible_or_404(Ticket.objects.select_related("county", "township", "village", "issuer",
                                                            "answered_by", "entry", "municipality"), user, pk=pk)


def open_tickets_for_answer(user: Any) -> QuerySet[Ticket]:
    """The open tickets the user's unit must answer or is waiting to hear back on: a clerk's
    township and its villages; a reviewer's county-level tickets."""
    if not user.is_authenticated:
        return Ticket.objects.none()
    if user.role == Role.CLERK:
        mine = Q(township_id=user.township_id)
    elif user.role == Role.REVIEWER:
        mine = Q(county_id=user.county_id, township__isnull=True)
    else:
        return Ticket.objects.none()
    return visible_tickets(user).filter(mine).open().order_by("deadline", "pk")


def to_do_counts(user: Any) -> dict[str, int]:
    """Tickets waiting for the user: to answer (their unit's, issued), to verify (answered
    tickets of their office) and how many of theirs are overdue."""
    from django.db.models import Count

    if not user.is_authenticated or user.role not in (Role.CLERK, Role.REVIEWER, Role.MUNICIPAL):
        return {"tickets_to_answer": 0, "tickets_to_verify": 0, "tickets_overdue": 0}
    if user.role == Role.CLERK:
        answer, verify = Q(township_id=user.township_id), Q(pk__in=[])
    elif user.role == Role.REVIEWER:
        answer = Q(county_id=user.county_id, township__isnull=True)
        verify = Q(issuer_level=Level.COUNTY, county_id=user.county_id)
    else:
        answer, verify = Q(pk__in=[]), Q(issuer_level=Level.MUNICIPALITY, municipality_id=user.municipality_id)
    counts = Ticket.objects.visible_to(user).aggregate(
        tickets_to_answer=Count("pk", filter=answer & Q(state=TicketState.ISSUED)),
        tickets_to_verify=Count("pk", filter=verify & Q(state=TicketState.ANSWERED)),
        tickets_overdue=Count("pk", filter=(answer | verify) & Q(state__in=[TicketState.ISSUED, TicketState.ANSWERED],
                                                                  deadline__lt=today())),
    )
    return counts


# --- Dashboards: from the stored tallies ---------------------------------------------------------


@dataclass
class TicketPanel:
    open_count: int = 0
    overdue_count: int = 0
    as_of: Any = None
    # (unit, open, overdue) for the units one level down that have open tickets.
    children: list[tuple[Any, int, int]] = field(default_factory=list)
    overdue: list[Ticket] = field(default_factory=list)


def dashboard_panel(unit: Any, user: Any) -> TicketPanel:
    """Open and overdue counts of ``unit`` and of the units below it, from the stored tallies,
    and its overdue tickets (derived from their deadlines, within the user's scope). One query
    when the unit has no open ticket, three when it has overdue ones."""
    from django.db.models import OuterRef, Subquery

    municipality_id = unit_ids(unit)[Level.MUNICIPALITY]
    wanted = Q(level=Level.MUNICIPALITY, unit_id=municipality_id) | Q(level=unit.level, unit_id=unit.pk)
    tallies = {(t.level, t.unit_id): t for t in TicketTally.objects.filter(wanted)}
    city = tallies.get((Level.MUNICIPALITY, municipality_id))
    # Every ticket change refreshes the tallies, so a city without a row has no ticket, and one
    # without open tickets has nothing that can fall overdue overnight.
    if city is not None and city.open_count and city.as_of != today():
        # The nightly job has not run yet today: recount now, so the page never shows
        # yesterday's overdue figures (and the job, when it runs, stores the same).
        from wuqiang.tickets.services import tally_refresh

        tally_refresh(municipality_id=municipality_id)
        tallies = {(t.level, t.unit_id): t for t in TicketTally.objects.filter(wanted)}
    panel = TicketPanel()
    own = tallies.get((unit.level, unit.pk))
    if own is not None:
        panel.open_count, panel.overdue_count, panel.as_of = own.open_count, own.overdue_count, own.as_of
    if unit.level in CHILDREN and panel.open_count:
        level, model, parent = CHILDREN[unit.level]
        child_tally = TicketTally.objects.filter(level=level, unit_id=OuterRef("pk"))
        units = (model.objects.filter(**{parent: unit.pk})
                 .annotate(open_count=Subquery(child_tally.values("open_count")[:1]),
                           overdue_count=Subquery(child_tally.values("overdue_count")[:1]))
                 .filter(open_count__gt=0).order_by("-overdue_count", "-open_count", "code"))
        panel.children = [(u, u.open_count, u.overdue_count) for u in units]
    if panel.overdue_count:
        panel.overdue = list(visible_tickets(user).to_unit(unit).overdue().order_by("deadline", "pk")[:OVERDUE_SHOWN])
    return panel
