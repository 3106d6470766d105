"""Fixtures for the pillar tests: one small place built directly with the ORM, and entries in it.

The place is one municipality (520300), county (520302), township (520302001) and village
(520302001200); ``make_village`` adds neighbours in the same township.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from django.utils import translation

from wuqiang.entries.models import Entry, Pillar
from wuqiang.regions.models import AssessmentYear, County, Municipality, Township, Village

YEAR = 2021


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    # The site speaks Chinese; the tests read the English msgids.
    with translation.override("en"):
        yield


@dataclass
class Place:
    municipality: Municipality
    county: County
    township: Township
    village: Village


@pytest.fixture
def place(db) -> Place:
    municipality = Municipality.objects.create(code="520300", name="遵义市")
    county = County.objects.create(code="520302", name="红花岗区", municipality=municipality)
    township = Township.objects.create(code="520302001", name="老城街道", county=county)
    village = Village.objects.create(code="520302001200", name="青石村", township=township)
    return Place(municipality, county, township, village)


def get_year(year: int = YEAR) -> AssessmentYear:
    return AssessmentYear.objects.get_or_create(year=year)[0]


@pytest.fixture
def make_village(place: Place) -> Callable[..., Village]:
    def make(number: int, name: str | None = None) -> Village:
        return Village.objects.create(
            code=f"{place.township.code}{number:03d}", name=name or f"村{number}", township=place.township
        )

    return make


@pytest.fixture
def make_entry(place: Place) -> Callable[..., Entry]:
    """``make_entry(Pillar.X, village=None, year=2021, township_level=False)`` → a saved draft."""

    def make(pillar: Pillar, *, village: Village | None = None, year: int = YEAR,
             township_level: bool = False) -> Entry:
        if township_level:
            return Entry.objects.create(pillar=pillar, year=get_year(year), village=None,
                                        township=place.township, county=place.county)
        village = village or place.village
        return Entry.objects.create(pillar=pillar, year=get_year(year), village=village,
                                    township_id=village.township_id, county_id=village.county_id)

    return make
