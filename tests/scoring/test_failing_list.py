"""The 未达标 list: every failing village, page by page, separated into vetoed, pillars not
approved and below the basic line, each linked to its village; scoped like the dashboards."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from tests import factories
from tests.scoring.conftest import YEAR
from tests.scoring.test_dashboards import get
from wuqiang.scoring.models import FailKind, Grade, VillageScorecard
from wuqiang.scoring.views import FAILING_PAGE

pytestmark = pytest.mark.django_db


def failing_url(level: str, code: str, **query: str) -> str:
    extra = "".join(f"&{key}={value}" for key, value in query.items())
    return reverse("scoring:failing", args=[level, code]) + f"?year={YEAR}{extra}"


def below_line_villages(township, count: int) -> list[str]:
    """``count`` complete villages scored below 60 on points alone, stored as the roll-up would."""
    codes = []
    for n in range(count):
        village = factories.VillageFactory(township=township, code=f"{township.code}{300 + n:03d}",
                                           name=f"低分村{n:02d}")
        VillageScorecard.objects.create(
            year_id=YEAR, village=village, township=township, county=township.county,
            municipality=township.county.municipality, total=Decimal(40 + n % 10), grade=Grade.FAIL,
            approved_pillars=5, computed_at=timezone.now())
        codes.append(village.code)
    return codes


def kinds_of(response) -> dict[str, str]:
    return {card.village.code: card.fail_kind for card in response.context["page_obj"]}


def test_the_list_separates_vetoed_incomplete_and_below_the_line(client, scored, people):
    [low] = below_line_villages(scored.township_c, 1)

    response = get(client, people["municipal"], failing_url("municipalities", "520300"))

    assert response.status_code == 200
    assert kinds_of(response) == {"520302100201": FailKind.VETOED, "520302001203": FailKind.INCOMPLETE,
                                  low: FailKind.BELOW}
    assert list(kinds_of(response)) == ["520302100201", "520302001203", low]  # vetoed, incomplete, below
    for kind, code in [("vetoed", "520302100201"), ("incomplete", "520302001203"), ("below", low)]:
        only = get(client, people["municipal"], failing_url("municipalities", "520300", kind=kind))
        assert list(kinds_of(only)) == [code]
    page = response.content.decode()
    assert reverse("scoring:village", args=[low]) + f"?year={YEAR}" in page


def test_the_list_pages_through_every_failing_village(client, scored, people):
    codes = below_line_villages(scored.township_a, FAILING_PAGE + 12)

    first = get(client, people["reviewer_x"], failing_url("counties", "520302", kind="below"))
    second = get(client, people["reviewer_x"], failing_url("counties", "520302", kind="below", page="2"))

    seen = list(kinds_of(first)) + list(kinds_of(second))
    assert (len(kinds_of(first)), len(kinds_of(second))) == (FAILING_PAGE, 12)
    assert sorted(seen) == sorted(codes)  # nothing twice, nothing missing
    assert "kind=below" in first.content.decode().split('aria-label="Pages"')[1]  # the next link keeps the kind


def test_the_dashboard_counts_each_kind_and_links_to_the_whole_list(client, scored, people):
    below_line_villages(scored.township_a, 15)

    response = get(client, people["municipal"], reverse("scoring:municipality", args=["520300"]) + f"?year={YEAR}")

    counts = {value: n for value, _, n in response.context["failing_kinds"]}
    assert counts == {"vetoed": 1, "incomplete": 1, "below": 15}
    assert len(response.context["failing"]) == 10
    assert reverse("scoring:failing", args=["municipalities", "520300"]) in response.content.decode()


@pytest.mark.parametrize(("persona", "level", "code", "status"), [
    ("municipal", "municipalities", "520300", 200),
    ("reviewer_x", "municipalities", "520300", 404),
    ("reviewer_x", "counties", "520302", 200),
    ("reviewer_y", "counties", "520302", 404),
    ("clerk_a", "townships", "520302001", 200),
    ("clerk_b", "townships", "520302001", 404),
    ("nobody", "townships", "520302001", 404),
    ("municipal", "villages", "520302001201", 404),  # no list below a township
])
def test_the_list_is_scoped_like_the_dashboards(client, scored, people, persona, level, code, status):
    assert get(client, people[persona], failing_url(level, code)).status_code == status


def test_a_clerk_sees_only_own_villages(client, scored, people):
    below_line_villages(scored.township_b, 3)

    response = get(client, people["clerk_a"], failing_url("townships", "520302001"))

    assert set(kinds_of(response)) == {"520302001203"}
