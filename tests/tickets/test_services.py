"""The ticket services: the lifecycle, the rules they enforce, the timeline and audit they write."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from tests.tickets.conftest import PDF, issue, make_overdue, upload
from wuqiang.accounts.permissions import NotAllowed
from wuqiang.audit.models import AuditEvent, EventKind
from wuqiang.regions.models import Level
from wuqiang.tickets import services
from wuqiang.tickets.models import EventAction, Ticket, TicketState, TicketTally, today

pytestmark = pytest.mark.django_db


def test_the_whole_lifecycle_is_recorded_on_the_timeline_and_in_the_audit_log(world, reviewer_x, clerk_a):
    ticket = issue(reviewer_x, world.village_a)
    assert (ticket.state, ticket.township_id, ticket.county_id, ticket.village_id) == (
        TicketState.ISSUED, world.township_a.pk, world.county_x.pk, world.village_a.pk)
    assert (ticket.target_level, ticket.issuer_level) == (Level.VILLAGE, Level.COUNTY)

    services.ticket_answer(ticket=ticket, actor=clerk_a, answer="Minutes written up.")
    services.ticket_reject(ticket=ticket, actor=reviewer_x, comment="April is still missing.")
    ticket.refresh_from_db()
    assert ticket.state == TicketState.ISSUED
    new_deadline = ticket.deadline + datetime.timedelta(days=7)
    services.ticket_extend(ticket=ticket, actor=reviewer_x, deadline=new_deadline, reason="Secretary on training.")
    services.ticket_answer(ticket=ticket, actor=clerk_a, answer="Both months written up.")
    services.ticket_close(ticket=ticket, actor=reviewer_x, comment="Checked on site.")

    ticket.refresh_from_db()
    assert ticket.state == TicketState.CLOSED and ticket.closed_at and ticket.deadline == new_deadline
    events = list(ticket.events.values_list("action", "actor__username", "comment"))
    assert events == [
        (EventAction.ISSUED, "reviewer_x", "No minutes for March and April."),
        (EventAction.ANSWERED, "clerk_a", "Minutes written up."),
        (EventAction.REJECTED, "reviewer_x", "April is still missing."),
        (EventAction.EXTENDED, "reviewer_x", "Secretary on training."),
        (EventAction.ANSWERED, "clerk_a", "Both months written up."),
        (EventAction.CLOSED, "reviewer_x", "Checked on site."),
    ]
    extended = ticket.events.get(action=EventAction.EXTENDED)
    assert extended.new_deadline == new_deadline and extended.old_deadline < new_deadline
    audited = list(AuditEvent.objects.filter(kind=EventKind.TICKET, object_id=str(ticket.pk))
                   .order_by("pk").values_list("detail__action", flat=True))
    assert audited == ["issued", "answered", "rejected", "extended", "answered", "closed"]


def test_a_clerk_cannot_issue_or_close(world, reviewer_x, clerk_a):
    with pytest.raises(NotAllowed):
        issue(clerk_a, world.village_a)
    ticket = issue(reviewer_x, world.village_a)
    services.ticket_answer(ticket=ticket, actor=clerk_a, answer="Done.")
    with pytest.raises(NotAllowed):
        services.ticket_close(ticket=ticket, actor=clerk_a)
    with pytest.raises(NotAllowed):
        services.ticket_reject(ticket=ticket, actor=clerk_a, comment="no")
    assert Ticket.objects.get().state == TicketState.ANSWERED


def test_an_issuer_cannot_answer_their_own_ticket(world, municipal, reviewer_x):
    ticket = issue(municipal, world.county_x)
    with pytest.raises(NotAllowed, match="You issued this ticket"):
        services.ticket_answer(ticket=ticket, actor=municipal, answer="Done.")
    # The county's reviewer answers a county-level ticket.
    services.ticket_answer(ticket=ticket, actor=reviewer_x, answer="Done.")
    assert Ticket.objects.get().state == TicketState.ANSWERED


def test_only_the_townships_clerk_answers(world, reviewer_x, clerk_b, clerk_c, clerk_a2):
    ticket = issue(reviewer_x, world.village_a)
    for outsider in (clerk_b, clerk_c, reviewer_x):
        with pytest.raises(NotAllowed):
            services.ticket_answer(ticket=ticket, actor=outsider, answer="Done.")
    services.ticket_answer(ticket=ticket, actor=clerk_a2, answer="Done by the second clerk of A.")


@pytest.mark.parametrize("unit", ["county_y", "township_c", "village_c"])
def test_a_reviewer_issues_only_to_townships_and_villages_of_their_county(world, reviewer_x, unit):
    with pytest.raises(NotAllowed):
        issue(reviewer_x, getattr(world, unit))


def test_a_reviewer_cannot_issue_to_their_county_itself(world, reviewer_x):
    with pytest.raises(NotAllowed):
        issue(reviewer_x, world.county_x)


def test_municipal_staff_issue_to_any_unit_of_their_city(world, municipal):
    for unit in (world.county_y, world.township_b, world.village_c):
        assert issue(municipal, unit).issuer_level == Level.MUNICIPALITY
    with pytest.raises(NotAllowed):
        issue(municipal, world.municipality)


def test_only_the_issuing_office_closes_and_extends(world, reviewer_x, reviewer_y, municipal, clerk_a):
    ticket = issue(reviewer_x, world.township_a)
    services.ticket_answer(ticket=ticket, actor=clerk_a, answer="Done.")
    later = ticket.deadline + datetime.timedelta(days=3)
    for outsider in (reviewer_y, municipal):
        with pytest.raises(NotAllowed):
            services.ticket_close(ticket=ticket, actor=outsider)
        with pytest.raises(NotAllowed):
            services.ticket_extend(ticket=ticket, actor=outsider, deadline=later, reason="x")


def test_bad_input_is_refused_and_changes_nothing(world, reviewer_x, clerk_a):
    with pytest.raises(ValidationError) as refused:
        issue(reviewer_x, world.village_a, title=" ", deadline=today() - datetime.timedelta(days=1))
    assert "title" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        issue(reviewer_x, world.village_a, indicator_code="NOPE")
    assert "indicator_code" in refused.value.message_dict
    with pytest.raises(ValidationError):
        issue(reviewer_x, world.village_a, deadline=today() - datetime.timedelta(days=1))
    assert not Ticket.objects.exists()
    ticket = issue(reviewer_x, world.village_a)
    with pytest.raises(ValidationError):
        services.ticket_answer(ticket=ticket, actor=clerk_a, answer="  ")
    with pytest.raises(ValidationError):
        services.ticket_extend(ticket=ticket, actor=reviewer_x, deadline=ticket.deadline, reason="same day")
    with pytest.raises(ValidationError):
        services.ticket_extend(ticket=ticket, actor=reviewer_x, deadline=ticket.deadline + datetime.timedelta(1),
                               reason="")
    services.ticket_answer(ticket=ticket, actor=clerk_a, answer="Done.")
    with pytest.raises(ValidationError):
        services.ticket_reject(ticket=ticket, actor=reviewer_x, comment="")
    assert ticket.events.count() == 2


def test_a_closed_ticket_accepts_nothing_more(world, reviewer_x, clerk_a):
    ticket = issue(reviewer_x, world.village_a)
    services.ticket_answer(ticket=ticket, actor=clerk_a, answer="Done.")
    services.ticket_close(ticket=ticket, actor=reviewer_x)
    with pytest.raises(NotAllowed):
        services.ticket_answer(ticket=ticket, actor=clerk_a, answer="again")
    with pytest.raises(NotAllowed):
        services.ticket_extend(ticket=ticket, actor=reviewer_x, deadline=ticket.deadline + datetime.timedelta(1),
                               reason="x")
    with pytest.raises(NotAllowed):
        services.attachment_add(ticket=ticket, actor=clerk_a, fileobj=upload(PDF, "a.pdf"), name="a.pdf")


def test_every_change_refreshes_the_stored_tallies(world, reviewer_x, clerk_a):
    ticket = issue(reviewer_x, world.village_a)
    tallies = {(t.level, t.unit_id): (t.open_count, t.overdue_count) for t in TicketTally.objects.all()}
    assert tallies == {(Level.MUNICIPALITY, world.municipality.pk): (1, 0), (Level.COUNTY, world.county_x.pk): (1, 0),
                       (Level.TOWNSHIP, world.township_a.pk): (1, 0), (Level.VILLAGE, world.village_a.pk): (1, 0)}
    make_overdue(ticket)
    assert TicketTally.objects.get(level=Level.TOWNSHIP, unit_id=world.township_a.pk).overdue_count == 1
    services.ticket_answer(ticket=ticket, actor=clerk_a, answer="Done.")
    services.ticket_close(ticket=ticket, actor=reviewer_x)
    assert list(TicketTally.objects.values_list("level", "open_count", "overdue_count")) == [
        (Level.MUNICIPALITY, 0, 0)]


def test_the_admin_shows_tickets_read_only(client, world, reviewer_x, admin_user):
    from django.urls import reverse

    ticket = issue(reviewer_x, world.village_a)
    client.force_login(admin_user)
    assert client.get(reverse("admin:tickets_ticket_changelist")).status_code == 200
    assert client.get(reverse("admin:tickets_ticket_change", args=[ticket.pk])).status_code == 200
    assert client.post(reverse("admin:tickets_ticket_change", args=[ticket.pk]), {"title": "x"}).status_code == 403
    assert Ticket.objects.get().title == ticket.title


def test_an_action_on_a_stale_copy_is_judged_on_the_ticket_as_it_is_now(world, reviewer_x, clerk_a, clerk_a2):
    ticket = issue(reviewer_x, world.village_a)
    stale = Ticket.objects.get(pk=ticket.pk)  # both clerks opened the page while it was issued
    services.ticket_answer(ticket=ticket, actor=clerk_a, answer="First answer.")
    with pytest.raises(NotAllowed, match="answered"):
        services.ticket_answer(ticket=stale, actor=clerk_a2, answer="Second answer.")
    assert Ticket.objects.get().answer == "First answer."
