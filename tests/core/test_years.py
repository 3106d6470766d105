"""The page's year and the navbar's year picker always agree (issue 15 item 1)."""

from __future__ import annotations

import pytest

from tests import factories
from wuqiang.regions.models import YearState

pytestmark = pytest.mark.django_db


@pytest.fixture
def years(world):
    factories.AssessmentYearFactory(year=2021)
    factories.AssessmentYearFactory(year=2022)
    factories.AssessmentYearFactory(year=2020, state=YearState.PUBLISHED)


def test_a_sheet_of_2022_shows_2022_in_the_picker(login_as, world, years, clerk_a):
    response = login_as(clerk_a).get(f"/villages/{world.village_a.code}/2022/organizations/")

    assert response.context["selected_year"].year == 2022
    assert '<option value="2022" selected>' in response.content.decode()


def test_picking_another_year_on_a_sheet_opens_that_years_sheet(login_as, world, years, clerk_a):
    response = login_as(clerk_a).get(f"/villages/{world.village_a.code}/2022/organizations/", {"year": 2021})

    assert response.status_code == 302
    assert response["Location"] == f"/villages/{world.village_a.code}/2021/organizations/"


def test_picking_a_year_that_does_not_exist_stays_on_the_page(login_as, world, years, clerk_a):
    response = login_as(clerk_a).get(f"/villages/{world.village_a.code}/2022/organizations/", {"year": 1999})

    assert response.status_code == 200
    assert response.context["selected_year"].year == 2022


def test_picking_a_year_on_the_scheme_page_opens_that_years_scheme(login_as, world, years, municipal):
    response = login_as(municipal).get(f"/scoring/schemes/{world.municipality.code}/2022/", {"year": 2020})

    assert response["Location"] == f"/scoring/schemes/{world.municipality.code}/2020/"


def test_by_default_pages_show_the_newest_open_year(login_as, world, years, clerk_a):
    response = login_as(clerk_a).get(f"/townships/{world.township_a.code}/board/")

    assert response.context["year"].year == 2022


def test_the_board_and_the_sheet_show_the_deadline_and_days_left(login_as, world, years, clerk_a):
    client = login_as(clerk_a)

    for url in (f"/townships/{world.township_a.code}/board/?year=2022",
                f"/villages/{world.village_a.code}/2022/organizations/"):
        page = client.get(url).content.decode()
        assert 'data-testid="deadline"' in page and "2023-03-31" in page and "data-days-left=" in page
