"""Ticket pages: the lifecycle through the web with its timeline, the scope matrix, attachments,
and what the dashboards, work board and home show."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse

from tests.conftest import PERSONAS
from tests.tickets.conftest import JPEG, PDF, PNG, issue, make_overdue, upload
from wuqiang.tickets import services
from wuqiang.tickets.models import Ticket, TicketAttachment, TicketState, today

pytestmark = pytest.mark.django_db


def detail(ticket) -> str:
    return reverse("tickets:detail", args=[ticket.pk])


def action(ticket, name: str) -> str:
    return reverse("tickets:action", args=[ticket.pk, name])


def timeline(html: str) -> list[str]:
    return re.findall(r'<li class="mb-2" data-action="(\w+)"', html)


def test_the_whole_lifecycle_through_the_web_with_its_timeline(client, world, year, reviewer_x, clerk_a):
    client.force_login(reviewer_x)
    deadline = today() + datetime.timedelta(days=5)
    response = client.post(reverse("tickets:issue"), {
        "unit": world.village_a.code, "title": "Party-day minutes missing", "problem": "No minutes since May.",
        "category": "organization", "severity": "rectify", "deadline": deadline.isoformat(),
        "attachment": upload(JPEG, "scene.jpg", "image/jpeg"),
    })
    ticket = Ticket.objects.get()
    assert response.status_code == 302 and response.url == detail(ticket)
    assert (ticket.village, ticket.issuer, ticket.deadline) == (world.village_a, reviewer_x, deadline)
    assert ticket.attachments.get().kind == "jpeg"

    client.force_login(clerk_a)
    page = client.get(detail(ticket)).content.decode()
    assert 'data-testid="answer-form"' in page and 'data-testid="close-form"' not in page
    response = client.post(action(ticket, "answer"), {"answer": "Minutes written up.",
                                                      "attachment": upload(PDF, "minutes.pdf", "application/pdf")})
    assert response.status_code == 302

    client.force_login(reviewer_x)
    assert client.post(action(ticket, "reject"), {"comment": "June is missing."}).status_code == 302
    later = (deadline + datetime.timedelta(days=7)).isoformat()
    assert client.post(action(ticket, "extend"), {"deadline": later, "reason": "Holiday."}).status_code == 302
    client.force_login(clerk_a)
    client.post(action(ticket, "answer"), {"answer": "June too."})
    client.force_login(reviewer_x)
    assert client.post(action(ticket, "close"), {"comment": "Checked."}).status_code == 302

    ticket.refresh_from_db()
    assert ticket.state == TicketState.CLOSED
    page = client.get(detail(ticket)).content.decode()
    assert timeline(page) == ["issued", "attached", "answered", "attached", "rejected", "extended", "answered",
                              "closed"]
    assert "June is missing." in page and "Holiday." in page and "minutes.pdf" in page
    assert 'data-testid="close-form"' not in page  # nothing left to do


def test_a_refused_form_says_why_and_changes_nothing(client, world, reviewer_x, clerk_a):
    ticket = issue(reviewer_x, world.village_a)
    client.force_login(clerk_a)
    response = client.post(action(ticket, "answer"), {"answer": ""})
    assert response.status_code == 400
    assert Ticket.objects.get().state == TicketState.ISSUED
    client.force_login(reviewer_x)
    response = client.post(reverse("tickets:issue"), {"unit": world.village_a.code, "title": "x", "problem": "y",
                                                      "category": "other", "severity": "notice",
                                                      "deadline": "2000-01-01"})
    assert response.status_code == 400 and b"cannot be in the past" in response.content
    assert Ticket.objects.count() == 1


# --- Scope matrix ---------------------------------------------------------------------------------

@pytest.fixture
def tickets(world, reviewer_x, reviewer_y, municipal):
    return {
        "village_a": issue(reviewer_x, world.village_a),
        "township_a": issue(reviewer_x, world.township_a),
        "township_b": issue(reviewer_x, world.township_b),
        "county_x": issue(municipal, world.county_x),
        "village_c": issue(reviewer_y, world.village_c),
    }


SEES = {
    "clerk_a": {"village_a", "township_a"},
    "clerk_a2": {"village_a", "township_a"},
    "clerk_b": {"township_b"},
    "clerk_c": {"village_c"},
    "reviewer_x": {"village_a", "township_a", "township_b", "county_x"},
    "reviewer_y": {"village_c"},
    "municipal": {"village_a", "township_a", "township_b", "county_x", "village_c"},
    "admin_user": {"village_a", "township_a", "township_b", "county_x", "village_c"},
    "no_role_user": set(),
}


@pytest.mark.parametrize("who", PERSONAS)
def test_each_persona_sees_exactly_the_tickets_of_their_scope(client, tickets, persona, who):
    client.force_login(persona(who))
    html = client.get(reverse("tickets:list")).content.decode()
    listed = {int(pk) for pk in re.findall(r'<tr data-ticket="(\d+)"', html)}
    assert listed == {tickets[name].pk for name in SEES[who]}
    for name, ticket in tickets.items():
        expected = 200 if name in SEES[who] else 404
        assert client.get(detail(ticket)).status_code == expected, (who, name)


def test_another_countys_attachment_is_404(client, world, reviewer_x, reviewer_y, clerk_a, clerk_c):
    ticket = issue(reviewer_x, world.village_a)
    attachment = services.attachment_add(ticket=ticket, actor=reviewer_x, fileobj=upload(), name="photo.png")
    url = reverse("tickets:attachment", args=[attachment.pk])
    for outsider in (reviewer_y, clerk_c):
        client.force_login(outsider)
        assert client.get(url).status_code == 404
    client.force_login(clerk_a)
    assert client.get(url).status_code == 200


def test_a_clerk_cannot_issue_or_close_through_the_web(client, world, reviewer_x, clerk_a):
    client.force_login(clerk_a)
    assert client.get(reverse("tickets:issue")).status_code == 403
    response = client.post(reverse("tickets:issue"), {
        "unit": world.village_a.code, "title": "x", "problem": "y", "category": "other", "severity": "notice",
        "deadline": (today() + datetime.timedelta(days=3)).isoformat()})
    assert response.status_code == 403 and not Ticket.objects.exists()
    ticket = issue(reviewer_x, world.village_a)
    services.ticket_answer(ticket=ticket, actor=clerk_a, answer="Done.")
    assert client.post(action(ticket, "close"), {"comment": ""}).status_code == 403
    assert client.post(action(ticket, "reject"), {"comment": "no"}).status_code == 403
    assert Ticket.objects.get().state == TicketState.ANSWERED


def test_an_issuer_cannot_answer_their_own_ticket_through_the_web(client, world, municipal):
    ticket = issue(municipal, world.county_x)
    client.force_login(municipal)
    assert 'data-testid="answer-form"' not in client.get(detail(ticket)).content.decode()
    assert client.post(action(ticket, "answer"), {"answer": "Done."}).status_code == 403
    assert Ticket.objects.get().state == TicketState.ISSUED


def test_a_reviewer_cannot_issue_to_another_countys_village(client, world, reviewer_x):
    client.force_login(reviewer_x)
    assert client.get(reverse("tickets:issue") + f"?unit={world.village_c.code}").status_code == 404


# --- Attachments -------------------------------------------------------------------------------------

@pytest.mark.parametrize(("content", "name", "kind"), [(PNG, "a.png", "png"), (JPEG, "scan.JPG", "jpeg"),
                                                       (PDF, "report.pdf", "pdf")])
def test_photos_and_pdfs_are_accepted_by_their_content(world, reviewer_x, content, name, kind):
    ticket = issue(reviewer_x, world.village_a)
    attachment = services.attachment_add(ticket=ticket, actor=reviewer_x, fileobj=upload(content, name), name=name)
    assert (attachment.kind, attachment.size, attachment.original_name) == (kind, len(content), name)


@pytest.mark.parametrize(("content", "name"), [
    (b"<html><script>alert(1)</script></html>", "photo.png"),  # a name does not make a photo
    (b"MZ\x90\x00" + b"\x00" * 60, "report.pdf"),
    (b"PK\x03\x04" + b"\x00" * 60, "sheet.pdf"),
    (b"GIF89a" + b"\x00" * 60, "anim.gif"),
])
def test_other_content_is_refused_whatever_its_name(client, world, reviewer_x, content, name):
    ticket = issue(reviewer_x, world.village_a)
    client.force_login(reviewer_x)
    response = client.post(action(ticket, "attach"), {"file": upload(content, name, "image/png")})
    assert response.status_code == 400 and b"not of an accepted type" in response.content
    assert not TicketAttachment.objects.exists()


def test_a_file_over_the_size_limit_is_refused(client, settings, world, reviewer_x):
    settings.UPLOAD_MAX_BYTES = 1024
    ticket = issue(reviewer_x, world.village_a)
    client.force_login(reviewer_x)
    response = client.post(action(ticket, "attach"), {"file": upload(PNG + b"\x00" * 2000, "big.png")})
    assert response.status_code == 400 and b"the limit is" in response.content
    assert not TicketAttachment.objects.exists()


def test_a_path_in_the_file_name_goes_nowhere(client, settings, world, reviewer_x):
    ticket = issue(reviewer_x, world.village_a)
    client.force_login(reviewer_x)
    for name in ("../../../etc/passwd.png", "..\\..\\evil.png", "/abs/evil.png"):
        client.post(action(ticket, "attach"), {"file": upload(PNG, name)})
    media = settings.MEDIA_ROOT.resolve()
    stored = list(TicketAttachment.objects.all())
    assert len(stored) == 3
    for attachment in stored:
        path = (media / attachment.file.name).resolve()
        assert path.parent == media / "tickets" / str(ticket.pk)
        assert re.fullmatch(r"[0-9a-f]{32}\.png", path.name)
        assert "/" not in attachment.original_name and "\\" not in attachment.original_name
    assert {a.original_name for a in stored} == {"passwd.png", "evil.png"}


def test_an_attachment_is_downloaded_never_rendered(client, world, reviewer_x):
    ticket = issue(reviewer_x, world.village_a)
    attachment = services.attachment_add(ticket=ticket, actor=reviewer_x, fileobj=upload(PDF, "整改.pdf"),
                                         name="整改.pdf")
    client.force_login(reviewer_x)
    response = client.get(reverse("tickets:attachment", args=[attachment.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PDF


# --- Where people see them --------------------------------------------------------------------------

def dashboard(level: str, unit, year) -> str:
    return reverse(f"scoring:{level}", args=[unit.code]) + f"?year={year.year}"


def test_an_overdue_ticket_shows_on_the_dashboards_until_it_is_closed(client, world, year, reviewer_x, municipal,
                                                                      clerk_a):
    late = make_overdue(issue(reviewer_x, world.village_a, title="Late one"))
    issue(reviewer_x, world.township_b, title="On time")
    client.force_login(municipal)
    html = client.get(dashboard("municipality", world.municipality, year)).content.decode()
    assert re.search(r'data-testid="tickets-open">2<', html) and re.search(r'data-testid="tickets-overdue">1<', html)
    assert f'<li data-ticket="{late.pk}">' in html
    html = client.get(dashboard("county", world.county_x, year)).content.decode()
    rows = dict(re.findall(r'<tr data-unit="(\d+)">.*?<td class="num ?[^"]*">(\d+)</td></tr>', html))
    assert rows == {world.township_a.code: "1", world.township_b.code: "0"}  # overdue per township
    client.force_login(clerk_a)
    html = client.get(dashboard("township", world.township_a, year)).content.decode()
    assert f'<li data-ticket="{late.pk}">' in html

    services.ticket_answer(ticket=late, actor=clerk_a, answer="Done.")
    services.ticket_close(ticket=late, actor=reviewer_x)
    client.force_login(municipal)
    html = client.get(dashboard("municipality", world.municipality, year)).content.decode()
    assert re.search(r'data-testid="tickets-overdue">0<', html) and f'data-ticket="{late.pk}"' not in html


def test_the_clerks_work_board_and_home_show_open_tickets_and_days_left(client, world, year, reviewer_x, clerk_a):
    ticket = issue(reviewer_x, world.village_a, deadline=today() + datetime.timedelta(days=4))
    other = issue(reviewer_x, world.township_b)
    client.force_login(clerk_a)
    board = client.get(reverse("entries:work-board", args=[world.township_a.code]) + f"?year={year.year}")
    html = board.content.decode()
    assert f'data-ticket="{ticket.pk}"' in html and f'data-ticket="{other.pk}"' not in html
    assert "4 days left" in html
    home = client.get(reverse("home"), follow=True).content.decode()
    assert f'data-ticket="{ticket.pk}"' in home
    help_page = client.get(reverse("help") + f"?year={year.year}").content.decode()
    assert "1 inspection ticket to answer." in help_page


def test_the_list_filters_by_state_overdue_category_severity_issuer_unit_and_text(client, world, reviewer_x,
                                                                                  municipal, clerk_a):
    a = make_overdue(issue(reviewer_x, world.village_a, title="Ledger missing", category="economy"))
    b = issue(municipal, world.township_b, title="Sign board", severity="notice")
    c = issue(reviewer_x, world.township_a, title="Ledger late")
    services.ticket_answer(ticket=c, actor=clerk_a, answer="Done.")
    client.force_login(municipal)

    def listed(query: str) -> set[int]:
        html = client.get(reverse("tickets:list") + "?" + query).content.decode()
        return {int(pk) for pk in re.findall(r'<tr data-ticket="(\d+)"', html)}

    assert listed("overdue=yes") == {a.pk}
    assert listed("overdue=no") == {b.pk, c.pk}
    assert listed("state=answered") == {c.pk}
    assert listed("category=economy") == {a.pk}
    assert listed("severity=notice") == {b.pk}
    assert listed(f"issuer={municipal.pk}") == {b.pk}
    assert listed(f"unit={world.township_a.code}") == {a.pk, c.pk}
    assert listed(f"unit={world.village_a.code}") == {a.pk}
    assert listed(f"unit={world.municipality.code}") == {a.pk, b.pk, c.pk}
    assert listed("q=ledger") == {a.pk, c.pk}
    assert listed("unit=12; DROP") == set()


def test_the_list_takes_a_bounded_number_of_queries(client, world, reviewer_x, municipal,
                                                    django_assert_max_num_queries):
    for unit in (world.village_a, world.township_a, world.township_b, *world.villages["b"]):
        issue(reviewer_x, unit)
    client.force_login(municipal)
    with django_assert_max_num_queries(14):
        assert client.get(reverse("tickets:list")).status_code == 200


def test_a_unit_page_offers_the_issue_form_to_those_who_may_issue(client, world, reviewer_x, clerk_a):
    client.force_login(reviewer_x)
    html = client.get(world.village_a.get_absolute_url()).content.decode()
    assert f'?unit={world.village_a.code}" data-testid="issue-ticket"' in html
    form = client.get(reverse("tickets:issue") + f"?unit={world.village_a.code}").content.decode()
    assert world.village_a.name in form
    client.force_login(clerk_a)
    assert 'data-testid="issue-ticket"' not in client.get(world.village_a.get_absolute_url()).content.decode()
