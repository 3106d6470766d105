"""An inspection ticket in a real browser (issue 13): a county reviewer issues it to a village
from the village's page; the township's clerk finds it on the work board and answers with a
photo; the reviewer reads the answer, opens the evidence and closes the ticket."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings
from playwright.sync_api import Page, expect

from wuqiang.tickets.models import EventAction, Ticket, TicketState, today

pytestmark = pytest.mark.e2e

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _in_english(page: Page, live_server) -> None:
    page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": live_server.url}])


def test_a_reviewer_issues_the_clerk_answers_with_a_photo_the_reviewer_closes(
        page: Page, live_server, sign_in, screenshot, world, year, clerk_a, reviewer_x, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    village = world.village_a
    deadline = today() + datetime.timedelta(days=9)
    _in_english(page, live_server)

    # The reviewer opens the village's page and issues a ticket from it.
    sign_in(reviewer_x)
    page.goto(f"{live_server.url}{village.get_absolute_url()}")
    page.locator("[data-testid=issue-ticket]").click()
    expect(page.locator("[data-testid=ticket-unit]")).to_have_text(village.name)
    page.locator("#id_title").fill("Public notice board out of date")
    page.locator("#id_problem").fill("The board still shows last quarter's accounts.")
    page.locator("#id_category").select_option("governance")
    page.locator("#id_severity").select_option("rectify")
    page.locator("#id_deadline").fill(deadline.isoformat())
    page.locator("[data-testid=issue-submit]").click()
    expect(page.locator("[data-testid=ticket-state] [data-state]")).to_have_attribute("data-state", "issued")
    ticket = Ticket.objects.get()
    assert (ticket.village_id, ticket.issuer_id, ticket.deadline) == (village.pk, reviewer_x.pk, deadline)

    # The clerk sees it on the work board, with the days left, and answers with a photo.
    page.context.clear_cookies()
    _in_english(page, live_server)
    sign_in(clerk_a)
    page.goto(f"{live_server.url}/townships/{world.township_a.code}/board/?year={year.year}")
    row = page.locator(f"[data-testid=open-tickets] tr[data-ticket='{ticket.pk}']")
    expect(row).to_contain_text("9 days left")
    screenshot("work-board")
    row.get_by_role("link", name="Public notice board out of date").click()
    page.locator("#id_answer").fill("Board updated with this quarter's accounts on the 3rd.")
    photo = tmp_path / "board.png"
    photo.write_bytes(PNG)
    page.locator("[data-testid=answer-form] input[type=file]").set_input_files(str(photo))
    page.locator("[data-testid=answer-submit]").click()
    expect(page.locator("[data-testid=ticket-state] [data-state]")).to_have_attribute("data-state", "answered")
    expect(page.locator("[data-testid=attachments]")).to_contain_text("board.png")

    # The reviewer reads the answer, downloads the photo and closes the ticket.
    page.context.clear_cookies()
    _in_english(page, live_server)
    sign_in(reviewer_x)
    page.goto(f"{live_server.url}/tickets/{ticket.pk}/")
    expect(page.locator("[data-testid=ticket-answer]")).to_contain_text("Board updated")
    with page.expect_download() as download:
        page.locator("[data-testid=attachments] a", has_text="board.png").click()
    assert download.value.suggested_filename == "board.png"
    page.locator("[data-testid=close-form] textarea").fill("Checked on site.")
    page.locator("[data-testid=close-submit]").click()
    expect(page.locator("[data-testid=ticket-state] [data-state]")).to_have_attribute("data-state", "closed")
    expect(page.locator("[data-testid=timeline] li")).to_have_count(4)  # issued, answered, attached, closed
    screenshot("closed")

    ticket.refresh_from_db()
    assert ticket.state == TicketState.CLOSED
    assert list(ticket.events.values_list("action", flat=True)) == [
        EventAction.ISSUED, EventAction.ANSWERED, EventAction.ATTACHED, EventAction.CLOSED]
