"""Where points are lost (issue 18 item 3): heat-map cells equal the mean points lost computed
here independently from the fixture's villages; scoped; trends over the years."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.urls import reverse

from tests.scoring.conftest import YEAR, make_facilities, make_village_data
from wuqiang.scoring.models import VillageIndicatorScore
from wuqiang.scoring.rollup import rollup_year
from wuqiang.scoring.services import scheme_for

pytestmark = pytest.mark.django_db
D = Decimal


def insight(level: str, code: str) -> str:
    return reverse("scoring:insight", args=[level, code]) + f"?year={YEAR}"


def expected_loss(villages, scheme) -> dict[str, Decimal]:
    """Mean over ``villages`` of (the indicator's points − the points stored, 0 when none)."""
    result = {}
    for item in scheme.indicators.all():
        lost = []
        for village in villages:
            row = VillageIndicatorScore.objects.filter(year_id=YEAR, village=village, code=item.code).first()
            lost.append(item.points - (row.points if row else D(0)))
        result[item.code] = (sum(lost) / len(lost)).quantize(D("0.01"), ROUND_HALF_UP)
    return result


def test_county_cells_equal_the_mean_points_lost(client, scored, people):
    client.force_login(people["municipal"])
    response = client.get(insight("municipalities", "520300"))
    heat = response.context["heat"]
    scheme = scheme_for(municipality_id=scored.municipality.pk, year=YEAR)
    assert [r.code for r in heat.rows] == ["520302", "520303"]
    villages = {"520302": [scored.a1, scored.a2, scored.a3, scored.b1], "520303": [scored.c1]}
    for i, row in enumerate(heat.rows):
        want = expected_loss(villages[row.code], scheme)
        got = {item.code: heat.cells[i][j] for j, item in enumerate(heat.columns)}
        assert got == want
    # County X: E1 lost 0 (A1), 5 (A2 at 30 万元), 12 (A3, nothing approved), 0 (B1) → 17 / 4.
    assert got_cell(heat, "520302", "E1") == D("4.25")
    assert response.context["charts"]["heat"]["cells"]


def got_cell(heat, row_code: str, code: str) -> Decimal:
    i = [r.code for r in heat.rows].index(row_code)
    j = [c.code for c in heat.columns].index(code)
    return heat.cells[i][j]


def test_a_reviewer_sees_the_township_heat_map_of_their_county_only(client, scored, people):
    client.force_login(people["reviewer_x"])
    response = client.get(insight("counties", "520302"))
    heat = response.context["heat"]
    assert [r.code for r in heat.rows] == ["520302001", "520302100"]
    scheme = scheme_for(municipality_id=scored.municipality.pk, year=YEAR)
    want = expected_loss([scored.a1, scored.a2, scored.a3], scheme)
    assert {c.code: heat.cells[0][j] for j, c in enumerate(heat.columns)} == want
    assert client.get(insight("municipalities", "520300")).status_code == 404
    assert client.get(insight("counties", "520303")).status_code == 404
    cell = reverse("scoring:insight-cell", args=["counties", "520303", "520303100", "E1"]) + f"?year={YEAR}"
    assert client.get(cell).status_code == 404
    client.force_login(people["clerk_a"])
    assert client.get(insight("counties", "520302")).status_code == 404


def test_a_cell_lists_the_villages_behind_it_most_lost_first(client, scored, people):
    client.force_login(people["reviewer_x"])
    url = reverse("scoring:insight-cell", args=["counties", "520302", "520302001", "E1"]) + f"?year={YEAR}"
    response = client.get(url + "&format=json")
    body = response.json()
    assert [(v["code"], v["lost"]) for v in body["villages"]] == [
        ("520302001203", "12.00"), ("520302001202", "5.00"), ("520302001201", "0.00")]
    assert client.get(url).status_code == 200
    # A township of another county under this county's URL is not there.
    other = reverse("scoring:insight-cell", args=["counties", "520302", "520303100", "E1"]) + f"?year={YEAR}"
    assert client.get(other).status_code == 404


def test_trends_cover_every_year_with_scorecards(client, scored, people):
    for township in (scored.township_a, scored.township_b, scored.township_c):
        make_facilities(township, year=YEAR + 1)
    make_village_data(scored.a1, year=YEAR + 1, previous_income=None)
    rollup_year(YEAR + 1)
    client.force_login(people["municipal"])
    trends = client.get(insight("villages", "520302001201")).context["charts"]["trends"]
    assert trends["years"] == [YEAR, YEAR + 1]
    assert trends["series"][0]["values"] == [100.0, 98.0]  # 2022: income flat at 120 万元, E5 −2
    county = client.get(insight("counties", "520302")).context["charts"]["trends"]
    assert county["years"] == [YEAR, YEAR + 1]
    assert len(county["series"]) == 6
