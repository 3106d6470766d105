"""Issue 18 in the read-only API: paths to the next grade and heat maps, scoped like the web."""

from __future__ import annotations

import pytest

from tests.scoring.conftest import YEAR
from tests.scoring.test_insight import expected_loss
from wuqiang.scoring.services import scheme_for

pytestmark = pytest.mark.django_db
API = "/api/v1"


def test_the_heat_map_endpoint_gives_the_mean_points_lost(client, scored, people):
    client.force_login(people["municipal"])
    body = client.get(f"{API}/heatmaps/520300/{YEAR}/").json()
    scheme = scheme_for(municipality_id=scored.municipality.pk, year=YEAR)
    want = expected_loss([scored.a1, scored.a2, scored.a3, scored.b1], scheme)
    row = next(r for r in body["rows"] if r["code"] == "520302")
    assert dict(zip(body["indicators"], row["lost"], strict=True)) == {k: str(v) for k, v in want.items()}
    assert row["villages"] == 4


def test_a_reviewer_gets_the_heat_map_of_their_county_only(client, scored, people):
    client.force_login(people["reviewer_x"])
    assert [r["code"] for r in client.get(f"{API}/heatmaps/520302/{YEAR}/").json()["rows"]] == [
        "520302001", "520302100"]
    assert client.get(f"{API}/heatmaps/520300/{YEAR}/").status_code == 404
    assert client.get(f"{API}/heatmaps/520303/{YEAR}/").status_code == 404


def test_paths_list_the_steps_vetoes_first_and_stay_in_scope(client, scored, people):
    client.force_login(people["reviewer_x"])
    listed = client.get(f"{API}/paths/", {"year": YEAR}).json()
    assert sorted(p["village"] for p in listed["results"]) == [
        "520302001201", "520302001202", "520302001203", "520302100201"]
    b1 = client.get(f"{API}/paths/520302100201/{YEAR}/").json()
    assert b1["steps"][0]["kind"] == "veto" and b1["next_grade"] == "exemplary"
    a2 = client.get(f"{API}/paths/520302001202/{YEAR}/").json()
    assert [(s["code"], s["gain"]) for s in a2["steps"]] == [("E1", "3.00"), ("E5", "2.00")]
    assert client.get(f"{API}/paths/520303100201/{YEAR}/").status_code == 404
