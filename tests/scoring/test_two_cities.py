"""Two municipalities in one database (a province deployment, SPEC §2–§3): each city's staff see
and change only their own scheme, roll-up runs, nominations and year settings — the other
city's answer 404 — and each city is scored by its own scheme."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from organizations.choices import WeakCaseStatus
from tests import factories
from tests.scoring.conftest import YEAR, get_year, make_facilities, make_village_data
from wuqiang.regions.models import County, Municipality, Township, Village, YearState
from wuqiang.regions.selectors import year_settings
from wuqiang.scoring.models import (
    DemonstrationNomination,
    RollupRun,
    SchemeVeto,
    VillageScorecard,
)
from wuqiang.scoring.rollup import rollup_year
from wuqiang.scoring.services import scheme_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def cities(place):
    """Zunyi (the scoring place) and Anshun, each with a village holding the same data: a perfect
    year except that the branch is listed as weak and lax and not rectified."""
    anshun = Municipality.objects.create(code="520400", name="安顺市")
    county = County.objects.create(code="520402", name="西秀区", municipality=anshun)
    township = Township.objects.create(code="520402001", name="南街街道", county=county)
    theirs = Village.objects.create(code="520402001200", name="北山村", township=township)
    get_year(YEAR)
    for t, village in ((place.township_a, place.a1), (township, theirs)):
        make_facilities(t)
        make_village_data(village, weak_case=WeakCaseStatus.LISTED)
    return {"zunyi": (place.municipality, place.a1), "anshun": (anshun, theirs)}


@pytest.fixture
def staff(cities):
    return {name: factories.MunicipalStaffFactory(municipality=city) for name, (city, _v) in cities.items()}


def test_each_city_is_scored_by_its_own_scheme(cities):
    anshun, theirs = cities["anshun"]
    # Anshun does not apply the weak-and-lax veto this year; Zunyi keeps the default scheme.
    SchemeVeto.objects.filter(scheme=scheme_for(municipality_id=anshun.pk, year=YEAR),
                              code="weak_unrectified").update(enabled=False)

    rollup_year(YEAR)

    ours = VillageScorecard.objects.get(village=cities["zunyi"][1], year_id=YEAR)
    anshuns = VillageScorecard.objects.get(village=theirs, year_id=YEAR)
    assert (ours.total, ours.vetoes, ours.grade) == (Decimal(100), "weak_unrectified", "fail")
    assert (anshuns.total, anshuns.vetoes, anshuns.grade) == (Decimal(100), "", "exemplary")


def test_rolling_up_one_city_leaves_the_other_citys_scorecards_alone(cities):
    rollup_year(YEAR)
    anshun, theirs = cities["anshun"]
    before = VillageScorecard.objects.get(village=theirs, year_id=YEAR).computed_at
    SchemeVeto.objects.filter(scheme=scheme_for(municipality_id=anshun.pk, year=YEAR)).update(enabled=False)

    rollup_year(YEAR, municipality_code="520300")

    assert VillageScorecard.objects.get(village=theirs, year_id=YEAR).computed_at == before
    assert VillageScorecard.objects.get(village=theirs, year_id=YEAR).grade == "fail"


def test_a_published_city_is_left_out_of_a_whole_year_run_and_the_other_is_scored(cities):
    rollup_year(YEAR)
    zunyi, ours = cities["zunyi"]
    factories.set_year_state(YEAR, YearState.PUBLISHED, municipality=zunyi)
    frozen = VillageScorecard.objects.get(village=ours, year_id=YEAR).computed_at

    result = rollup_year(YEAR)

    assert result.villages == 1
    assert VillageScorecard.objects.get(village=ours, year_id=YEAR).computed_at == frozen


# --- Neither city's staff reach the other's ---------------------------------------------------------------


def _others(cities, name):
    return cities["anshun" if name == "zunyi" else "zunyi"]


@pytest.mark.parametrize("name", ["zunyi", "anshun"])
def test_the_other_citys_scheme_is_not_there(client, cities, staff, name):
    other, _village = _others(cities, name)
    scheme = scheme_for(municipality_id=other.pk, year=YEAR)
    points = scheme.indicators.get(code="O1").points
    client.force_login(staff[name])
    url = reverse("scoring:scheme", args=[other.code, YEAR])

    assert client.get(url).status_code == 404
    assert client.post(url, {"exemplary_total": "1"}).status_code == 404
    assert scheme.indicators.get(code="O1").points == points
    assert client.get(reverse("scoring:scheme", args=[cities[name][0].code, YEAR])).status_code == 200


@pytest.mark.parametrize("name", ["zunyi", "anshun"])
def test_the_other_citys_runs_are_not_there(client, cities, staff, name):
    other, _village = _others(cities, name)
    run = RollupRun.objects.create(year_id=YEAR, municipality=other)
    client.force_login(staff[name])

    assert client.get(reverse("scoring:rollup-run", args=[run.pk])).status_code == 404
    assert client.get(reverse("scoring:rollup-run", args=[run.pk]) + "?format=json").status_code == 404
    assert client.post(reverse("scoring:rollup-start"), {"year": YEAR, "municipality": other.code}).status_code == 404
    assert RollupRun.objects.filter(municipality=other).count() == 1


@pytest.mark.parametrize("name", ["zunyi", "anshun"])
def test_the_other_citys_nominations_are_not_there(client, cities, staff, name):
    other, village = _others(cities, name)
    nomination = DemonstrationNomination.objects.create(year_id=YEAR, village=village)
    client.force_login(staff[name])

    assert client.get(reverse("scoring:demonstration", args=[other.code, YEAR])).status_code == 404
    assert client.post(reverse("scoring:demonstration", args=[other.code, YEAR])).status_code == 404
    response = client.post(reverse("scoring:nomination-decide", args=[nomination.pk]), {"decision": "confirm"})
    assert response.status_code == 404
    nomination.refresh_from_db()
    assert nomination.status == "proposed"
    own = client.get(reverse("scoring:demonstration", args=[cities[name][0].code, YEAR]))
    assert nomination not in list(own.context["page_obj"])


@pytest.mark.parametrize("name", ["zunyi", "anshun"])
def test_the_other_citys_year_settings_are_not_there(client, cities, staff, name):
    other, _village = _others(cities, name)
    client.force_login(staff[name])
    url = reverse("regions:years", args=[other.code])

    assert client.get(url).status_code == 404
    assert client.post(url, {"year": YEAR, "state": "closed"}).status_code == 404
    assert year_settings(year=YEAR, municipality_id=other.pk).state == YearState.OPEN
    assert client.get(reverse("regions:years", args=[cities[name][0].code])).status_code == 200


def test_a_city_closing_its_year_leaves_the_other_city_open(client, cities, staff):
    client.force_login(staff["zunyi"])

    client.post(reverse("regions:years", args=["520300"]), {"year": YEAR, "state": "closed"})

    assert year_settings(year=YEAR, municipality_id=cities["zunyi"][0].pk).state == YearState.CLOSED
    assert year_settings(year=YEAR, municipality_id=cities["anshun"][0].pk).state == YearState.OPEN
