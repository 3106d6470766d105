"""Browse pages: who may open which unit, where each role lands, and what each page costs."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests import factories
from tests.conftest import PERSONAS

pytestmark = pytest.mark.django_db

# Page key → how to find its unit in the world fixture.
PAGES = {
    "municipality": lambda w: w.municipality,
    "county_x": lambda w: w.county_x,
    "county_y": lambda w: w.county_y,
    "township_a": lambda w: w.township_a,
    "township_b": lambda w: w.township_b,
    "township_c": lambda w: w.township_c,
    "village_a": lambda w: w.village_a,
    "village_b": lambda w: w.village_b,
    "village_c": lambda w: w.village_c,
}

# The pages each persona may open; every other page answers 404, as if it did not exist.
ALLOWED = {
    "clerk_a": {"township_a", "village_a"},
    "clerk_a2": {"township_a", "village_a"},
    "clerk_b": {"township_b", "village_b"},
    "clerk_c": {"township_c", "village_c"},
    "reviewer_x": {"county_x", "township_a", "township_b", "village_a", "village_b"},
    "reviewer_y": {"county_y", "township_c", "village_c"},
    "municipal": set(PAGES),
    "admin_user": set(PAGES),
    "no_role_user": set(),
}
assert set(ALLOWED) == set(PERSONAS), "every persona needs a row in the scope matrix"

MATRIX = [
    pytest.param(name, unit_key, 200 if unit_key in ALLOWED[name] else 404, id=f"{name}-{unit_key}")
    for name in PERSONAS
    for unit_key in PAGES
]


# (Not "page": that is pytest-playwright's fixture, and the name would drag a browser in.)
@pytest.mark.parametrize(("persona_name", "unit_key", "expected"), MATRIX)
def test_scope_matrix(persona, login_as, world, year, persona_name, unit_key, expected):
    client = login_as(persona(persona_name))
    unit = PAGES[unit_key](world)

    response = client.get(unit.get_absolute_url())

    assert response.status_code == expected
    if expected == 200:
        assert response.context["unit"] == unit


def test_the_municipality_list_is_empty_for_a_reviewer(login_as, reviewer_x, world, year):
    # The municipality is above a reviewer's scope, so the list shows nothing.
    response = login_as(reviewer_x).get("/municipalities/")

    assert response.status_code == 200
    assert list(response.context["municipalities"]) == []


def test_the_municipality_page_lists_its_counties_with_counts(login_as, municipal, world, year):
    response = login_as(municipal).get(world.municipality.get_absolute_url())

    rows = {c.code: (c.n_townships, c.n_villages) for c in response.context["page_obj"]}
    assert rows == {"520302": (2, 4), "520303": (1, 2)}


def test_the_township_page_lists_only_its_own_villages(login_as, clerk_a, world, year):
    response = login_as(clerk_a).get(world.township_a.get_absolute_url())

    assert list(response.context["page_obj"]) == world.villages["a"]
    content = response.content.decode()
    assert all(v.name in content for v in world.villages["a"])
    assert not any(v.name in content for v in world.villages["b"] + world.villages["c"])


@pytest.mark.parametrize("unit_key", ["township_a", "village_a", "county_x", "municipality"])
def test_an_anonymous_visitor_is_sent_to_login_with_next(client, world, unit_key):
    url = PAGES[unit_key](world).get_absolute_url()

    response = client.get(url)

    assert response.status_code == 302
    assert response.url == f"/accounts/login/?next={url}"


def test_the_login_page_is_public(client, db):
    response = client.get("/accounts/login/")

    assert response.status_code == 200
    assert 'name="username"' in response.content.decode()


# --- Home: each role starts at its own unit ---------------------------------------------------


@pytest.mark.parametrize(
    ("persona_name", "target"),
    [
        ("clerk_a", "/townships/520302001/"),
        ("clerk_c", "/townships/520303100/"),
        ("reviewer_x", "/counties/520302/"),
        ("reviewer_y", "/counties/520303/"),
        ("municipal", "/municipalities/520300/"),
        ("admin_user", "/municipalities/520300/"),
    ],
)
def test_home_redirects_each_role_to_its_unit(persona, login_as, world, year, persona_name, target):
    response = login_as(persona(persona_name)).get("/")

    assert response.status_code == 302
    assert response.url == target


def test_home_sends_an_admin_to_the_list_when_there_are_several_municipalities(login_as, admin_user, world):
    factories.MunicipalityFactory(code="520400", name="安顺市")

    response = login_as(admin_user).get("/")

    assert response.status_code == 302
    assert response.url == "/municipalities/"
    listed = login_as(admin_user).get(response.url).context["municipalities"]
    assert {m.code for m in listed} == {"520300", "520400"}


def test_home_shows_a_user_without_a_role_the_no_role_page(login_as, no_role_user, world, year):
    response = login_as(no_role_user).get("/")

    assert response.status_code == 403
    assert "core/no_role.html" in [t.name for t in response.templates]


def test_home_sends_an_anonymous_visitor_to_login(client, db):
    response = client.get("/")

    assert response.status_code == 302
    assert response.url == "/accounts/login/?next=/"


# --- Breadcrumbs ------------------------------------------------------------------------------


def _breadcrumb_links(response) -> list[str]:
    content = response.content.decode()
    trail = re.search(r'<ol class="breadcrumb[^"]*">(.*?)</ol>', content, re.S)
    assert trail, "the page has no breadcrumbs"
    return [href.split("?")[0] for href in re.findall(r'href="([^"]+)"', trail.group(1))]


@pytest.mark.parametrize(
    ("persona_name", "expected_links"),
    [
        # A clerk's trail names the county and city but links only their township.
        ("clerk_a", ["/townships/520302001/"]),
        ("reviewer_x", ["/counties/520302/", "/townships/520302001/"]),
        ("municipal", ["/municipalities/520300/", "/counties/520302/", "/townships/520302001/"]),
        ("admin_user", ["/municipalities/520300/", "/counties/520302/", "/townships/520302001/"]),
    ],
)
def test_breadcrumbs_link_only_visible_ancestors(persona, login_as, world, year, persona_name, expected_links):
    response = login_as(persona(persona_name)).get(world.village_a.get_absolute_url())

    assert _breadcrumb_links(response) == expected_links
    crumbs = [c["unit"] for c in response.context["breadcrumbs"]]
    assert crumbs == [world.municipality, world.county_x, world.township_a, world.village_a]


def test_breadcrumb_links_keep_the_selected_year(login_as, reviewer_x, world, year):
    factories.AssessmentYearFactory(year=2020, state="published")

    content = login_as(reviewer_x).get(f"{world.township_a.get_absolute_url()}?year=2020").content.decode()

    assert 'href="/counties/520302/?year=2020"' in content


# --- Query counts -----------------------------------------------------------------------------

# Session, user, the unit (with its ancestors), the paginator's count, the years, the children,
# and the open inspection tickets of the user's own unit.
PAGE_QUERY_LIMIT = 7


def _queries_for(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_the_township_page_costs_the_same_queries_however_many_villages(
    login_as, clerk_a, world, year, django_assert_max_num_queries
):
    client = login_as(clerk_a)
    url = world.township_a.get_absolute_url()
    with django_assert_max_num_queries(PAGE_QUERY_LIMIT):
        client.get(url)
    before = _queries_for(client, url)

    factories.VillageFactory.create_batch(30, township=world.township_a)

    response = client.get(url)
    assert len(response.context["page_obj"]) == 32
    assert _queries_for(client, url) == before


def test_the_county_page_costs_the_same_queries_however_many_townships_and_villages(
    login_as, reviewer_x, world, year, django_assert_max_num_queries
):
    client = login_as(reviewer_x)
    url = world.county_x.get_absolute_url()
    with django_assert_max_num_queries(PAGE_QUERY_LIMIT):
        client.get(url)
    before = _queries_for(client, url)

    for township in factories.TownshipFactory.create_batch(10, county=world.county_x):
        factories.VillageFactory.create_batch(3, township=township)
    factories.VillageFactory.create_batch(5, township=world.township_a)

    response = client.get(url)
    counts = {t.code: t.n_villages for t in response.context["page_obj"]}
    assert len(counts) == 12
    assert counts[world.township_a.code] == 7
    assert _queries_for(client, url) == before


def test_the_municipality_page_costs_the_same_queries_however_many_counties(login_as, municipal, world, year):
    client = login_as(municipal)
    url = world.municipality.get_absolute_url()
    before = _queries_for(client, url)

    for county in factories.CountyFactory.create_batch(5, municipality=world.municipality):
        factories.VillageFactory.create_batch(2, township__county=county)

    assert len(client.get(url).context["page_obj"]) == 7
    assert before <= PAGE_QUERY_LIMIT
    assert _queries_for(client, url) == before


def test_the_township_page_paginates_its_villages(login_as, clerk_a, world, year):
    factories.VillageFactory.create_batch(60, township=world.township_a)
    client = login_as(clerk_a)

    first = client.get(world.township_a.get_absolute_url())
    second = client.get(world.township_a.get_absolute_url(), {"page": 2})

    assert len(first.context["page_obj"]) == 50
    assert len(second.context["page_obj"]) == 12


# --- Language ---------------------------------------------------------------------------------


def test_the_interface_is_chinese_by_default(login_as, clerk_a, world, year):
    content = login_as(clerk_a).get(world.township_a.get_absolute_url()).content.decode()

    assert '<html lang="zh-hans">' in content
    assert 'data-testid="nav-work-board">填报工作台</a>' in content


def test_the_language_switch_makes_the_page_english(login_as, clerk_a, world, year):
    client = login_as(clerk_a)
    url = world.township_a.get_absolute_url()

    response = client.post("/i18n/setlang/", {"language": "en", "next": url})

    assert response.status_code == 302
    assert response.url == url
    content = client.get(url).content.decode()
    assert '<html lang="en">' in content
    assert 'data-testid="nav-work-board">Work board</a>' in content
    assert '<h2 class="h5">Villages</h2>' in content


def test_the_language_switch_works_before_login(client, db):
    client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    english = client.get("/accounts/login/").content.decode()
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/accounts/login/"})
    chinese = client.get("/accounts/login/").content.decode()

    assert ">Username</label>" in english
    assert ">用户名</label>" in chinese


def test_the_portal_own_text_is_translated_into_chinese(login_as, clerk_a, world, year):
    content = login_as(clerk_a).get(world.township_a.get_absolute_url()).content.decode()

    assert "五强" in content
    assert '<h2 class="h5">Villages</h2>' not in content


# --- Logout -----------------------------------------------------------------------------------


def test_logout_by_post_ends_the_session(login_as, clerk_a, world, year):
    client = login_as(clerk_a)

    response = client.post("/accounts/logout/")

    assert response.status_code == 302
    assert response.url == "/accounts/login/"
    after = client.get(world.township_a.get_absolute_url())
    assert after.status_code == 302
    assert after.url.startswith("/accounts/login/")


def test_logout_by_get_is_refused(login_as, clerk_a, world, year):
    client = login_as(clerk_a)

    assert client.get("/accounts/logout/").status_code == 405
    assert client.get(world.township_a.get_absolute_url()).status_code == 200


def test_an_english_browser_still_gets_chinese_until_the_user_switches(login_as, clerk_a, world, year):
    client = login_as(clerk_a)

    first = client.get(world.township_a.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    switched = client.get(world.township_a.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="zh-CN")

    assert '<html lang="zh-hans">' in first.content.decode()
    assert '<html lang="en">' in switched.content.decode()
