"""The tickets API under /api/v1/tickets/: the lifecycle with its
timeline, the scope, the filters and attachments — the web's rules, through the same services."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from tests.conftest import PERSONAS
from tests.tickets.conftest import PDF, PNG, issue, make_overdue, upload
from wuqiang.tickets import services
from wuqiang.tickets.models import Ticket, TicketState, today

pytestmark = pytest.mark.django_db

API = "/api/v1/tickets/"


@pytest.fixture
def api():
    client = APIClient()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def signed_in(api: APIClient, user) -> APIClient:
    api.force_login(user)
    return api


def test_the_whole_lifecycle_through_the_api_with_its_timeline(api, world, reviewer_x, clerk_a):
    deadline = today() + datetime.timedelta(days=6)
    response = signed_in(api, reviewer_x).post(API, {
        "unit": world.village_a.code, "title": "Ledger missing", "problem": "No ledger for 2021.",
        "category": "economy", "severity": "rectify", "deadline": deadline.isoformat()}, format="json")
    assert response.status_code == 201, response.content
    ticket_id = response.json()["id"]
    assert response.json()["unit"] == {"level": 4, "code": world.village_a.code, "name": world.village_a.name}
    url = f"{API}{ticket_id}/"

    signed_in(api, clerk_a)
    assert api.post(f"{url}answer/", {"answer": "Ledger opened."}, format="json").status_code == 200
    attached = api.post(f"{url}attachments/", {"file": upload(PDF, "ledger.pdf", "application/pdf")},
                        format="multipart")
    assert attached.status_code == 201 and attached.json()["kind"] == "pdf"

    signed_in(api, reviewer_x)
    assert api.post(f"{url}reject/", {"comment": "Not signed."}, format="json").json()["state"] == "issued"
    later = (deadline + datetime.timedelta(days=3)).isoformat()
    extended = api.post(f"{url}extend/", {"deadline": later, "reason": "Accountant away."}, format="json")
    assert extended.json()["deadline"] == later
    signed_in(api, clerk_a)
    api.post(f"{url}answer/", {"answer": "Signed."}, format="json")
    signed_in(api, reviewer_x)
    closed = api.post(f"{url}close/", {}, format="json").json()
    assert closed["state"] == "closed" and closed["is_overdue"] is False and closed["days_left"] is None

    detail = api.get(url).json()
    assert [(e["action"], e["actor"]) for e in detail["events"]] == [
        ("issued", "reviewer_x"), ("answered", "clerk_a"), ("attached", "clerk_a"), ("rejected", "reviewer_x"),
        ("extended", "reviewer_x"), ("answered", "clerk_a"), ("closed", "reviewer_x")]
    assert detail["events"][4]["new_deadline"] == later
    assert [a["original_name"] for a in detail["attachments"]] == ["ledger.pdf"]


@pytest.fixture
def tickets(world, reviewer_x, reviewer_y, municipal):
    return {
        "village_a": issue(reviewer_x, world.village_a),
        "township_b": issue(reviewer_x, world.township_b),
        "county_x": issue(municipal, world.county_x),
        "village_c": issue(reviewer_y, world.village_c),
    }


SEES = {
    "clerk_a": {"village_a"}, "clerk_a2": {"village_a"}, "clerk_b": {"township_b"}, "clerk_c": {"village_c"},
    "reviewer_x": {"village_a", "township_b", "county_x"}, "reviewer_y": {"village_c"},
    "municipal": {"village_a", "township_b", "county_x", "village_c"},
    "admin_user": {"village_a", "township_b", "county_x", "village_c"}, "no_role_user": set(),
}


@pytest.mark.parametrize("who", PERSONAS)
def test_the_api_is_scoped_like_the_web(api, tickets, persona, who):
    signed_in(api, persona(who))
    listed = {row["id"] for row in api.get(API).json()["results"]}
    assert listed == {tickets[name].pk for name in SEES[who]}
    for name, ticket in tickets.items():
        assert api.get(f"{API}{ticket.pk}/").status_code == (200 if name in SEES[who] else 404)


def test_the_api_refuses_what_the_rules_refuse(api, world, reviewer_x, reviewer_y, clerk_a, municipal):
    signed_in(api, clerk_a)
    payload = {"unit": world.village_a.code, "title": "x", "problem": "y", "category": "other", "severity": "notice",
               "deadline": (today() + datetime.timedelta(days=2)).isoformat()}
    assert api.post(API, payload, format="json").status_code == 403
    signed_in(api, reviewer_x)
    assert api.post(API, {**payload, "unit": world.village_c.code}, format="json").status_code == 400
    assert api.post(API, {**payload, "deadline": "2001-01-01"}, format="json").json()["errors"] == {
        "deadline": ["The deadline cannot be in the past."]}
    assert not Ticket.objects.exists()

    own = issue(municipal, world.county_x)
    signed_in(api, municipal)
    assert api.post(f"{API}{own.pk}/answer/", {"answer": "Done."}, format="json").status_code == 403
    ticket = issue(reviewer_x, world.village_a)
    services.ticket_answer(ticket=ticket, actor=clerk_a, answer="Done.")
    signed_in(api, clerk_a)
    assert api.post(f"{API}{ticket.pk}/close/", {}, format="json").status_code == 403
    signed_in(api, reviewer_y)
    assert api.post(f"{API}{ticket.pk}/close/", {}, format="json").status_code == 404
    assert Ticket.objects.get(pk=ticket.pk).state == TicketState.ANSWERED


def test_an_attachment_of_the_wrong_type_is_refused(api, world, reviewer_x):
    ticket = issue(reviewer_x, world.village_a)
    signed_in(api, reviewer_x)
    response = api.post(f"{API}{ticket.pk}/attachments/", {"file": upload(b"#!/bin/sh\nrm -rf /\n", "x.png")},
                        format="multipart")
    assert response.status_code == 400 and "file" in response.json()["errors"]
    ok = api.post(f"{API}{ticket.pk}/attachments/", {"file": upload(PNG, "x.png")}, format="multipart")
    assert ok.status_code == 201


def test_the_overdue_filter_lists_a_late_ticket_until_it_is_closed(api, world, reviewer_x, clerk_a):
    late = make_overdue(issue(reviewer_x, world.village_a))
    on_time = issue(reviewer_x, world.township_b)
    signed_in(api, reviewer_x)
    assert [r["id"] for r in api.get(API, {"overdue": "yes"}).json()["results"]] == [late.pk]
    assert [r["id"] for r in api.get(API, {"overdue": "no"}).json()["results"]] == [on_time.pk]
    assert api.get(f"{API}{late.pk}/").json()["is_overdue"] is True

    services.ticket_answer(ticket=late, actor=clerk_a, answer="Done.")
    api.post(f"{API}{late.pk}/close/", {}, format="json")
    assert api.get(API, {"overdue": "yes"}).json()["results"] == []


def test_the_api_filters_match_the_web_list(api, world, reviewer_x, municipal):
    a = issue(reviewer_x, world.village_a, category="talent")
    b = issue(municipal, world.township_b, severity="notice")
    signed_in(api, municipal)

    def ids(**query) -> set[int]:
        return {r["id"] for r in api.get(API, query).json()["results"]}

    assert ids(category="talent") == {a.pk}
    assert ids(severity="notice") == {b.pk}
    assert ids(issuer=reviewer_x.pk) == {a.pk}
    assert ids(unit=world.township_a.code) == {a.pk}
    assert ids(state="issued") == {a.pk, b.pk}


def test_the_api_list_takes_a_bounded_number_of_queries(api, world, reviewer_x, municipal,
                                                        django_assert_max_num_queries):
    for unit in (world.village_a, world.township_a, world.township_b, *world.villages["b"]):
        issue(reviewer_x, unit)
    signed_in(api, municipal)
    with django_assert_max_num_queries(12):
        assert len(api.get(API).json()["results"]) == 5


def test_the_schema_with_the_tickets_api_is_valid_without_warnings(tmp_path):
    from django.core.management import call_command

    call_command("spectacular", "--validate", "--fail-on-warn",
                 "--file", str(tmp_path / "schema.yml"))
    schema = (tmp_path / "schema.yml").read_text()
    assert "/api/v1/tickets/{id}/answer/" in schema and "/api/v1/tickets/{id}/attachments/" in schema
