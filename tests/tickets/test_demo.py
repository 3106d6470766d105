"""The demo's tickets: every state, some overdue, the tallies agree, and a second run adds none."""

from __future__ import annotations

import pytest

from wuqiang.core.demo.hierarchy import DemoCity
from wuqiang.core.demo.tickets import build_tickets
from wuqiang.core.demo.users import build_users
from wuqiang.regions.models import County, Level, Township, Village
from wuqiang.tickets.models import Ticket, TicketState, TicketTally

pytestmark = pytest.mark.django_db


def test_the_demo_city_gets_tickets_in_every_state_once(world):
    city = DemoCity(world.municipality, list(County.objects.order_by("code")), list(Township.objects.order_by("code")),
                    list(Village.objects.order_by("code")))
    build_users(city)

    made = build_tickets(city, seed=7)

    assert made == Ticket.objects.count() == 2 * 2 + 2  # two per county, one per county from the city
    assert {t.state for t in Ticket.objects.all()} == {TicketState.ISSUED, TicketState.ANSWERED, TicketState.CLOSED}
    assert Ticket.objects.overdue().exists()
    city_tally = TicketTally.objects.get(level=Level.MUNICIPALITY)
    assert (city_tally.open_count, city_tally.overdue_count) == (Ticket.objects.open().count(),
                                                                 Ticket.objects.overdue().count())
    assert build_tickets(city, seed=7) == 0
