"""Overdue is derived from the deadline on every page, and the nightly job stores the same counts."""

from __future__ import annotations

import datetime
import re

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from tests.tickets.conftest import issue, make_overdue
from wuqiang.regions.models import Level
from wuqiang.tickets import services
from wuqiang.tickets.models import Ticket, TicketTally, today
from wuqiang.tickets.tasks import refresh_ticket_tallies

pytestmark = pytest.mark.django_db


def stored(level: Level, unit) -> tuple[int, int]:
    tally = TicketTally.objects.filter(level=level, unit_id=unit.pk).first()
    return (tally.open_count, tally.overdue_count) if tally else (0, 0)


def derived(unit) -> tuple[int, int]:
    tickets = Ticket.objects.to_unit(unit)
    return tickets.open().count(), tickets.overdue().count()


def test_the_nightly_job_is_scheduled_just_after_midnight_in_the_portals_time_zone():
    entry = settings.CELERY_BEAT_SCHEDULE["ticket-tallies"]
    assert entry["task"] == refresh_ticket_tallies.name
    assert entry["schedule"].hour == {0} and settings.CELERY_TIMEZONE == "Asia/Shanghai"


def test_the_nightly_job_and_the_deadlines_agree_for_every_unit(world, reviewer_x, reviewer_y, municipal, clerk_c):
    make_overdue(issue(reviewer_x, world.village_a))
    issue(reviewer_x, world.villages["a"][1])
    make_overdue(issue(municipal, world.county_y), days=1)
    answered = make_overdue(issue(reviewer_y, world.village_c))
    services.ticket_answer(ticket=answered, actor=clerk_c, answer="Done.")  # answered: still open
    TicketTally.objects.all().delete()

    assert refresh_ticket_tallies.apply().get() > 0
    units = [(Level.MUNICIPALITY, world.municipality), (Level.COUNTY, world.county_x), (Level.COUNTY, world.county_y),
             (Level.TOWNSHIP, world.township_a), (Level.TOWNSHIP, world.township_b), (Level.TOWNSHIP, world.township_c),
             *[(Level.VILLAGE, v) for vs in world.villages.values() for v in vs]]
    for level, unit in units:
        assert stored(level, unit) == derived(unit), unit
    assert stored(Level.MUNICIPALITY, world.municipality) == (4, 3)
    assert refresh_ticket_tallies.apply().get() == refresh_ticket_tallies.apply().get()  # idempotent


def test_when_the_day_turns_the_page_and_the_nightly_job_show_the_same_overdue(client, world, year, reviewer_x,
                                                                               municipal, monkeypatch):
    due_today = issue(reviewer_x, world.village_a, deadline=today())
    url = reverse("scoring:municipality", args=[world.municipality.code]) + f"?year={year.year}"
    client.force_login(municipal)
    html = client.get(url).content.decode()
    assert re.search(r'data-testid="tickets-overdue">0<', html)

    tomorrow = today() + datetime.timedelta(days=1)
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: tomorrow)
    assert due_today.is_overdue
    # Before the nightly job has run, the page recounts the stale figures itself…
    html = client.get(url).content.decode()
    assert re.search(r'data-testid="tickets-overdue">1<', html) and f'data-ticket="{due_today.pk}"' in html
    page_figures = stored(Level.MUNICIPALITY, world.municipality)
    # …and the job, when it runs, stores exactly what the page showed.
    refresh_ticket_tallies.apply()
    assert stored(Level.MUNICIPALITY, world.municipality) == page_figures == (1, 1)
    assert TicketTally.objects.get(level=Level.MUNICIPALITY).as_of == tomorrow


def test_the_dashboard_panel_reads_three_queries_however_many_tickets(world, reviewer_x, municipal,
                                                                      django_assert_max_num_queries):
    from wuqiang.tickets.selectors import dashboard_panel

    for village in (*world.villages["a"], *world.villages["b"]):
        make_overdue(issue(reviewer_x, village))
        issue(reviewer_x, village)
    assert municipal.scope.level is not None  # computed once per request, cached on the user
    with django_assert_max_num_queries(3):
        panel = dashboard_panel(world.county_x, municipal)
        assert (panel.open_count, panel.overdue_count, len(panel.children), len(panel.overdue)) == (8, 4, 2, 4)
