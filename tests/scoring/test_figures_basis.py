"""Scorecard figures (SPEC §7's and the rest) count approved data only, like the scores, and the
dashboards say beside them how much is still pending, so a figure never mixes two bases."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse

from tests import factories
from tests.scoring.conftest import YEAR, make_facilities, make_village_data
from wuqiang.entries.models import EntryState, Pillar
from wuqiang.scoring.models import TownshipScorecard, VillageScorecard
from wuqiang.scoring.rollup import rollup_year

pytestmark = pytest.mark.django_db

FIGURES = ("combined", "competition", "sent_down_in_post", "reserve_trainees", "leader_trainees",
           "tech_commissioners_in_post", "demonstration_bases", "operating_income", "income_above_50",
           "pay_combined_sum", "pay_combined_count")


def figures(village) -> tuple:
    card = VillageScorecard.objects.get(year_id=YEAR, village=village)
    return tuple(getattr(card, name) for name in FIGURES)


def test_figures_count_approved_entries_and_leave_out_the_rest(place):
    make_facilities(place.township_a)
    make_village_data(place.a1, demonstration_base=True)
    make_village_data(place.a2, demonstration_base=True, states={p: EntryState.SUBMITTED for p in Pillar.values})
    make_village_data(place.a3, demonstration_base=True, states={p: EntryState.DRAFT for p in Pillar.values})
    rollup_year(YEAR)

    assert figures(place.a1) == (1, 1, 3, 2, 1, 1, 1, Decimal("120.00"), 1, 5000, 1)
    for pending in (place.a2, place.a3):
        assert figures(pending) == (0, 0, 0, 0, 0, 0, 0, None, 0, 0, 0)
    township = TownshipScorecard.objects.get(year_id=YEAR, township=place.township_a)
    assert (township.demonstration_bases, township.operating_income, township.combined) == (1, Decimal("120.00"), 1)


def test_a_pillars_figures_count_once_that_pillar_is_approved(place):
    make_facilities(place.township_a)
    make_village_data(place.a1, demonstration_base=True, states={Pillar.TALENT: EntryState.RETURNED})
    rollup_year(YEAR)

    card = VillageScorecard.objects.get(year_id=YEAR, village=place.a1)
    # Economy and organisations are approved: counted. Talent was returned: its people and pay are not.
    assert (card.demonstration_bases, card.operating_income, card.combined) == (1, Decimal("120.00"), 1)
    assert (card.sent_down_in_post, card.reserve_trainees, card.pay_combined_count) == (0, 0, 0)


def test_the_dashboard_says_beside_the_figures_how_many_sheets_are_still_pending(client, place,
                                                                                 django_assert_max_num_queries):
    make_facilities(place.township_a)
    make_village_data(place.a1)
    make_village_data(place.a2, states={Pillar.ECONOMY: EntryState.SUBMITTED, Pillar.GOVERNANCE: EntryState.DRAFT,
                                        Pillar.SUPPORT: EntryState.RETURNED})
    rollup_year(YEAR)  # village a3 has no entry yet
    clerk = factories.ClerkFactory(username="clerk_a", township=place.township_a)
    client.force_login(clerk)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = client.get(reverse("scoring:township", args=[place.township_a.code]) + f"?year={YEAR}")

    progress = response.context["progress"]
    assert (progress.expected, progress.approved, progress.submitted, progress.returned, progress.draft,
            progress.not_started, progress.pending) == (15, 7, 1, 1, 1, 5, 8)
    page = response.content.decode()
    assert "Counted from approved village sheets only, like the scores: 7 of 15." in page
    assert "Still pending: 1 submitted, 1 returned, 1 in draft, 5 not started." in page


def test_the_pending_count_stays_inside_the_viewers_scope(client, place):
    make_facilities(place.township_a)
    make_village_data(place.a1, states={Pillar.ECONOMY: EntryState.SUBMITTED})
    make_village_data(place.c1, states={Pillar.ECONOMY: EntryState.SUBMITTED})
    rollup_year(YEAR)
    reviewer = factories.ReviewerFactory(username="reviewer_x", county=place.county_x)
    client.force_login(reviewer)

    response = client.get(reverse("scoring:county", args=[place.county_x.code]) + f"?year={YEAR}")

    # County X's four villages; village c1 of county Y is not counted.
    assert (response.context["progress"].expected, response.context["progress"].submitted) == (20, 1)
