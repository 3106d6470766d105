"""Fixtures for the API tests: a client per persona authenticated by a real token, entries in
every state (through the services, as tests/entries does) and the stored scorecards."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from tests.entries.conftest import Flow
from wuqiang.accounts.models import User
from wuqiang.api.services import token_create

API = "/api/v1"


@pytest.fixture
def flow(world, year) -> Flow:
    """Drives entries through the services (tests/entries/conftest.py)."""
    return Flow(world, year)


@pytest.fixture(autouse=True)
def _fresh_throttle_counts(settings) -> None:
    # Throttle counts live in the cache, which outlives a test and is shared with other tests
    # (Redis in the PostgreSQL leg): each test counts in a namespace of its own, and with limits
    # the matrices do not reach (test_platform.py tests the limits themselves).
    settings.API_THROTTLE_NAMESPACE = f"api-test-{uuid.uuid4().hex}"
    settings.API_THROTTLE_RATES = {"anon": "100000/minute", "user": "100000/minute"}


def token_client(user: User | None, *, language: str = "en") -> APIClient:
    """An API client as another system calls: a bearer token, no session, no cookie."""
    client = APIClient(HTTP_ACCEPT_LANGUAGE=language)
    if user is not None:
        _token, raw = token_create(user=user, name="tests")
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


@pytest.fixture
def api_as(persona) -> Callable[[str | None], APIClient]:
    """A token client for a persona by name (None: anonymous)."""

    def _client(name: str | None, language: str = "en") -> APIClient:
        return token_client(persona(name) if name else None, language=language)

    return _client


def entry_url(entry, suffix: str = "") -> str:
    unit = entry.village or entry.township
    from wuqiang.entries.registry import sheet_for_entry

    return f"{API}/entries/{unit.code}/{entry.year_id}/{sheet_for_entry(entry).slug}/{suffix}"


def make_scorecards(world, year) -> None:
    """Stored results for every village and unit of the world (as the roll-up writes them)."""
    from wuqiang.scoring.models import (
        CountyScorecard,
        IndicatorLayout,
        MunicipalScorecard,
        TownshipScorecard,
        VillageIndicators,
        VillagePath,
        VillageScorecard,
    )

    now = timezone.now()
    layout = IndicatorLayout.objects.create(signature="organizations:O1", codes=["O1"], pillars=["organizations"])
    for key, villages in world.villages.items():
        for i, village in enumerate(villages):
            VillageScorecard.objects.create(
                year=year, village=village, township_id=village.township_id, county_id=village.county_id,
                municipality=world.municipality, total=Decimal(60 + 10 * i), grade="basic" if i == 0 else "pass",
                vetoes="income_below_10" if key == "c" else "", computed_at=now, rank=i + 1)
            # O1: value 1.0, 3 points (read back through the VillageIndicatorScore view).
            VillageIndicators.objects.create(year=year, village=village, layout=layout, value_array=[1.0],
                                             points_array=[Decimal(3)], denominator_array=[None], basis_array=[""],
                                             reference_array=[None])
            VillagePath.objects.create(year=year, village=village, township_id=village.township_id,
                                       county_id=village.county_id, municipality=world.municipality,
                                       next_grade="pass" if i == 0 else "exemplary", points_needed=Decimal(5))
    for township in (world.township_a, world.township_b, world.township_c):
        TownshipScorecard.objects.create(year=year, township=township, county_id=township.county_id,
                                         municipality=world.municipality, villages=2, computed_at=now)
    for county in (world.county_x, world.county_y):
        CountyScorecard.objects.create(year=year, county=county, municipality=world.municipality, villages=4,
                                       computed_at=now)
    MunicipalScorecard.objects.create(year=year, municipality=world.municipality, villages=6, computed_at=now)


# --- A world with something of every kind the API shows --------------------------------------------

# Where each object lives, and which personas' scope covers that place. "a", "b", "c": a township
# (and its villages); "X", "Y": a county; "M": the municipality; "S": the municipality's shared
# reference (its scheme, the years), read by everyone with a role in it.
PLACES_SEEN = {
    "clerk_a": {"a", "S"},
    "clerk_a2": {"a", "S"},
    "clerk_b": {"b", "S"},
    "clerk_c": {"c", "S"},
    "reviewer_x": {"a", "b", "X", "S"},
    "reviewer_y": {"c", "Y", "S"},
    "municipal": {"a", "b", "c", "X", "Y", "M", "S"},
    "admin_user": {"a", "b", "c", "X", "Y", "M", "S"},
    "no_role_user": set(),
}


class Everything:
    """One object of every kind per place, and the list and detail URLs that show them."""

    def __init__(self, world, year, flow, clerks, reviewer_x):
        from support.models import CountyIncome
        from wuqiang.scoring.models import DemonstrationNomination
        from wuqiang.scoring.services import scheme_for

        self.world, self.year = world, year
        self.entries = {key: flow.draft(world.villages[key][0], clerks[key]) for key in "abc"}
        make_scorecards(world, year)
        scheme_for(municipality_id=world.municipality.pk, year=year.year)
        for key in "abc":
            DemonstrationNomination.objects.create(year=year, village=world.villages[key][0])
        for county in (world.county_x, world.county_y):
            CountyIncome.objects.create(county=county, year=year, rural_income_per_capita=15000)

    def objects(self) -> dict[str, list[tuple[str, str]]]:
        """Endpoint → [(key as the list shows it, place)]."""
        w, y = self.world, self.year.year
        township_place = {w.township_a.code: "a", w.township_b.code: "b", w.township_c.code: "c"}
        county_place = {w.county_x.code: "X", w.county_y.code: "Y"}
        villages = [(v.code, key) for key, vs in w.villages.items() for v in vs]
        return {
            "municipalities": [(w.municipality.code, "M")],
            "counties": list(county_place.items()),
            "townships": list(township_place.items()),
            "villages": villages,
            "years": [(str(y), "S")],
            "entries": [(f"{e.village.code}/{y}/organizations", key) for key, e in self.entries.items()],
            "scorecards/villages": [(f"{code}/{y}", key) for code, key in villages],
            "scorecards/townships": [(f"{code}/{y}", key) for code, key in township_place.items()],
            "scorecards/counties": [(f"{code}/{y}", key) for code, key in county_place.items()],
            "scorecards/municipalities": [(f"{w.municipality.code}/{y}", "M")],
            "schemes": [(f"{w.municipality.code}/{y}", "S")],
            "nominations": [(f"{w.villages[k][0].code}/{y}", k) for k in "abc"],
            "county-incomes": [(f"{code}/{y}", key) for code, key in county_place.items()],
            "paths": [(f"{code}/{y}", key) for code, key in villages],
        }


def list_key(endpoint: str, item: dict) -> str:
    """The key of one list item, as ``Everything.objects`` writes it."""
    if endpoint == "years":
        return str(item["year"])
    if endpoint == "entries":
        return f"{item['unit']}/{item['year']}/{item['sheet']}"
    unit = {"scorecards/villages": "village", "scorecards/townships": "township", "scorecards/counties": "county",
            "scorecards/municipalities": "municipality", "schemes": "municipality", "nominations": "village",
            "county-incomes": "county", "paths": "village"}.get(endpoint)
    return f"{item[unit]}/{item['year']}" if unit else item["code"]


@pytest.fixture
def everything(world, year, flow, clerk_a, clerk_b, clerk_c, reviewer_x) -> Everything:
    return Everything(world, year, flow, {"a": clerk_a, "b": clerk_b, "c": clerk_c}, reviewer_x)
