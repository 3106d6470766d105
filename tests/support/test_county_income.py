"""The county reference income page: who reads it, who keeps it, and what it refuses."""

import pytest

from support.models import CountyIncome
from tests import factories
from tests.factories import set_year_state
from wuqiang.regions.models import YearState


def _url(county) -> str:
    return f"/counties/{county.code}/income/"


@pytest.mark.parametrize(
    ("persona_name", "county_attr", "status"),
    [
        ("reviewer_x", "county_x", 200),
        ("reviewer_x", "county_y", 404),
        ("municipal", "county_y", 200),
        ("clerk_a", "county_x", 404),
        ("no_role_user", "county_x", 404),
    ],
)
def test_the_page_is_scoped(persona, login_as, world, year, persona_name, county_attr, status):
    response = login_as(persona(persona_name)).get(_url(getattr(world, county_attr)))

    assert response.status_code == status


def test_it_saves_the_reviewers_income_and_shows_next_years_standard(login_as, reviewer_x, world, year):
    factories.AssessmentYearFactory(year=2022)
    client = login_as(reviewer_x)

    response = client.post(_url(world.county_x), {"year": 2021, "rural_income_per_capita": 15000})

    assert response.status_code == 302
    assert CountyIncome.objects.get(county=world.county_x, year=year).rural_income_per_capita == 15000
    page = client.get(_url(world.county_x)).content.decode()
    assert "45,000" in page or "45000" in page  # 2022 standard: 3 × 15,000


def test_it_rejects_an_impossible_income_and_saves_nothing(login_as, reviewer_x, world, year):
    response = login_as(reviewer_x).post(_url(world.county_x), {"year": 2021, "rural_income_per_capita": -5})

    assert response.status_code == 200
    assert not CountyIncome.objects.exists()


def test_a_clerk_cannot_post_an_income(login_as, clerk_a, world, year):
    response = login_as(clerk_a).post(_url(world.county_x), {"year": 2021, "rural_income_per_capita": 15000})

    assert response.status_code == 404
    assert not CountyIncome.objects.exists()


def test_a_published_year_is_not_offered_for_edits(login_as, reviewer_x, world, year):
    set_year_state(year, YearState.PUBLISHED)

    response = login_as(reviewer_x).post(_url(world.county_x), {"year": 2021, "rural_income_per_capita": 15000})

    assert response.status_code == 200
    assert not CountyIncome.objects.exists()
