"""The help page: what waits for the user now, the states, each role's part (issue 15 item 10)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_a_clerk_sees_their_drafts_and_returned_entries(login_en, flow, world, year, clerk_a, reviewer_x):
    flow.draft(world.villages["a"][0], clerk_a)
    flow.returned(world.villages["a"][1], clerk_a, reviewer_x)

    response = login_en(clerk_a).get("/help/?year=2021")

    assert (response.context["to_do"].drafts, response.context["to_do"].returned) == (1, 1)
    assert "1 entry returned by the reviewer" in response.content.decode()


def test_a_reviewer_sees_what_waits_in_their_county_only(login_en, flow, world, year, clerk_a, clerk_c, reviewer_x):
    flow.submitted(world.village_a, clerk_a)
    flow.submitted(world.village_c, clerk_c)

    response = login_en(reviewer_x).get("/help/?year=2021")

    assert response.context["to_do"].submitted == 1


def test_everyone_reads_the_states_and_the_roles(login_en, world, municipal):
    page = login_en(municipal).get("/help/").content.decode()

    assert "What the states mean" in page and "Whom to ask" in page and 'data-testid="to-do"' not in page
