"""The big screen (issue 18 item 4): the city's and each county's, scoped, its figures also as
JSON for the in-place refresh."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.scoring.conftest import YEAR

pytestmark = pytest.mark.django_db


def screen(code: str, json: bool = False) -> str:
    return reverse("scoring:screen", args=[code]) + f"?year={YEAR}" + ("&format=json" if json else "")


@pytest.mark.parametrize(("persona", "code", "status"), [
    ("municipal", "520300", 200), ("municipal", "520302", 200), ("reviewer_x", "520302", 200),
    ("reviewer_x", "520300", 404), ("reviewer_x", "520303", 404), ("clerk_a", "520302", 404),
    ("nobody", "520300", 404),
])
def test_the_big_screen_is_scoped(client, scored, people, persona, code, status):
    client.force_login(people[persona])
    assert client.get(screen(code)).status_code == status
    assert client.get(screen(code, json=True)).status_code == status


def test_the_big_screen_shows_the_stored_figures_and_refreshes_from_json(client, scored, people):
    client.force_login(people["municipal"])
    page = client.get(screen("520300"))
    assert b'data-screen-url="' in page.content and b"screen.js" in page.content
    assert b"<script>" not in page.content  # CSP: data in a JSON block, code in files
    data = client.get(screen("520300", json=True)).json()
    figures = {f["key"]: f["value"] for f in data["headline"]}
    assert figures["villages"] == "5" and figures["exemplary"] == "2" and figures["fail"] == "2"
    assert data["grades"]["values"] == [2, 1, 0, 2]
    assert data["league"]["labels"] and len(data["league"]["values"]) == 2
    assert data["trends"]["years"] == [YEAR]
    assert data["refresh"] >= 60


def test_the_big_screen_shows_overdue_tickets_from_the_tickets_tallies(client, scored, people):
    import datetime

    from wuqiang.tickets import services
    from wuqiang.tickets.models import Ticket

    data = services.TicketInput(title="村务公开栏未更新", problem="三月份公开内容缺失。", category="governance",
                                severity="rectify", deadline=datetime.date.today() + datetime.timedelta(days=3))
    ticket = services.ticket_issue(actor=people["reviewer_x"], unit=scored.a1, data=data)
    Ticket.objects.filter(pk=ticket.pk).update(deadline=datetime.date.today() - datetime.timedelta(days=2))
    services.tally_refresh(municipality_id=scored.municipality.pk)

    client.force_login(people["municipal"])
    figures = {f["key"]: f["value"] for f in client.get(screen("520300", json=True)).json()["headline"]}
    assert figures["overdue"] == "1"
    client.force_login(people["reviewer_y"])
    figures = {f["key"]: f["value"] for f in client.get(screen("520303", json=True)).json()["headline"]}
    assert figures["overdue"] == "0"  # county Y has no ticket
