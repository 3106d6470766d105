"""Fixtures for the API tests: a client per persona authenticated by a real token, entries in
every state (through the services, as tests/entries does) and the stored scorecards."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.utils import timezone
from rest_framework.test import APIClient

from tests.entries.conftest import COMPLETE_PROFILE, Flow, flow  # noqa: F401  (re-exported fixture)
from wuqiang.accounts.models import User
from wuqiang.api.services import token_create

API = "/api/v1"


@pytest.fixture(autouse=True)
def _fresh_throttle_counts() -> Iterator[None]:
    # Throttle counts live in the cache, which outlives a test; each test starts with none.
    cache.clear()
    yield
    cache.clear()


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
        MunicipalScorecard,
        TownshipScorecard,
        VillageIndicatorScore,
        VillageScorecard,
    )

    now = timezone.now()
    for key, villages in world.villages.items():
        for i, village in enumerate(villages):
            VillageScorecard.objects.create(
                year=year, village=village, township_id=village.township_id, county_id=village.county_id,
                municipality=world.municipality, total=Decimal(60 + 10 * i), grade="basic" if i == 0 else "pass",
                vetoes="income_below_10" if key == "c" else "", computed_at=now, rank=i + 1)
            VillageIndicatorScore.objects.create(year=year, village=village, code="O1", pillar="organizations",
                                                 value=1.0, points=Decimal(3))
    for township in (world.township_a, world.township_b, world.township_c):
        TownshipScorecard.objects.create(year=year, township=township, county_id=township.county_id,
                                         municipality=world.municipality, villages=2, computed_at=now)
    for county in (world.county_x, world.county_y):
        CountyScorecard.objects.create(year=year, county=county, municipality=world.municipality, villages=4,
                                       computed_at=now)
    MunicipalScorecard.objects.create(year=year, municipality=world.municipality, villages=6, computed_at=now)
