"""A tiny hierarchy with pillar data built directly with the models, for the scoring tests.

The place: municipality 520300 → county X 520302 (township A 520302001 with villages
A1–A3, township B 520302100 with village B1) and county Y 520303 (township C 520303100 with
village C1). ``make_village_data(village)`` gives a village a perfect year (100 points,
五强示范) with every entry approved; keyword arguments spoil it in known ways.
"""

from __future__ import annotations

import datetime
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings
from django.utils import translation

from economy.models import EconomyProfile
from governance.models import GovernanceProfile
from organizations.choices import REQUIRED_MEETINGS, MeetingKind, WeakCaseStatus
from organizations.models import BranchProfile, MajorMatter, Meeting, WeakCase
from support.models import SupportProfile, TownshipFacilities
from talent.choices import CadrePost, Education, SentDownKind, TraineeKind
from talent.models import Cadre, SentDown, TalentProfile, Trainee
from tests import factories
from wuqiang.entries.models import Entry, EntryState, Pillar
from wuqiang.regions.models import AssessmentYear, County, Municipality, Township, Village

YEAR = 2021


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


@dataclass
class Place:
    municipality: Municipality
    county_x: County
    county_y: County
    township_a: Township
    township_b: Township
    township_c: Township
    a1: Village
    a2: Village
    a3: Village
    b1: Village
    c1: Village


def get_year(year: int = YEAR, **kwargs: Any) -> AssessmentYear:
    return factories.AssessmentYearFactory(year=year, **kwargs)


@pytest.fixture
def place(db) -> Place:
    municipality = Municipality.objects.create(code="520300", name="遵义市")
    county_x = County.objects.create(code="520302", name="红花岗区", municipality=municipality)
    county_y = County.objects.create(code="520303", name="汇川区", municipality=municipality)
    township_a = Township.objects.create(code="520302001", name="老城街道", county=county_x)
    township_b = Township.objects.create(code="520302100", name="巷口镇", county=county_x)
    township_c = Township.objects.create(code="520303100", name="高坪镇", county=county_y)

    def village(township: Township, number: int, name: str) -> Village:
        return Village.objects.create(code=f"{township.code}{number:03d}", name=name, township=township)

    return Place(
        municipality, county_x, county_y, township_a, township_b, township_c,
        a1=village(township_a, 201, "青石村"), a2=village(township_a, 202, "龙井村"),
        a3=village(township_a, 203, "桃园村"), b1=village(township_b, 201, "龙凤村"),
        c1=village(township_c, 201, "桃花村"),
    )


def make_entry(pillar: str, year: int, *, village: Village | None = None, township: Township | None = None,
               state: str = EntryState.APPROVED) -> Entry:
    township = township or village.township
    return Entry.objects.create(year=get_year(year), pillar=pillar, village=village, township=township,
                                county_id=township.county_id, state=state)


PERFECT: dict[str, Any] = {
    # organizations
    "secretary_is_director": True, "grids": 10, "grids_with_party_group": 10, "households": 100,
    "linked_households": 100, "standardisation_passed": True, "points_system": True,
    "competition_participated": True, "meetings": dict(REQUIRED_MEETINGS), "theme_day_months": 12,
    "matters": [], "weak_case": None,
    # talent
    "training_hours": Decimal(40), "cadres": [(CadrePost.SECRETARY_DIRECTOR, Education.COLLEGE, 1980, 5000),
                                              (CadrePost.MEMBER, Education.BACHELOR, 1995, 3500)],
    "first_secretary": True, "team_members": 2, "reserve": 2, "leaders": 1, "tech_commissioners": 1,
    "instructors": 0,
    # economy
    "operating_income": Decimal("120.00"), "previous_income": Decimal("100.00"), "registered": True,
    "supervisory_board": True, "disclosure_quarters": 4, "demonstration_base": False,
    # governance
    "rules": True, "councils": (True, True, True), "tools": (True, True, True), "visited": 100,
    "disputes": 0, "resolved": 0, "one_stop": True, "models": True, "major_incident": False,
    # support
    "annual_pay": 60_000, "months_on_time": 12, "venue_standardised": True, "venue_area": Decimal(250),
    "paid_leave": True, "health_checkup": True,
    # state of every entry of the year
    "states": {},
}


def make_village_data(village: Village, year: int = YEAR, **overrides: Any) -> dict[str, Entry]:
    """Give ``village`` a year of data: perfect unless ``overrides`` say otherwise."""
    d = {**PERFECT, **overrides}
    states = {p: EntryState.APPROVED for p in Pillar.values} | d["states"]
    entries = {p: make_entry(p, year, village=village, state=states[p]) for p in Pillar.values}

    org = entries[Pillar.ORGANIZATIONS]
    BranchProfile.objects.create(
        entry=org, households=d["households"], grids=d["grids"], grids_with_party_group=d["grids_with_party_group"],
        linked_households=d["linked_households"], secretary_is_director=d["secretary_is_director"],
        standardisation_passed=d["standardisation_passed"], points_system=d["points_system"],
        competition_participated=d["competition_participated"], party_members=40,
    )
    meetings = []
    for kind, held in d["meetings"].items():
        meetings += [Meeting(entry=org, kind=kind, date=datetime.date(year, 1 + i % 12, 10)) for i in range(held)]
    meetings += [Meeting(entry=org, kind=MeetingKind.THEME_DAY, date=datetime.date(year, m, 5))
                 for m in range(1, d["theme_day_months"] + 1)]
    Meeting.objects.bulk_create(meetings)
    MajorMatter.objects.bulk_create([
        MajorMatter(entry=org, title=f"事项{i}", date=datetime.date(year, 3, 1), four_deliberations=four,
                    made_public=public) for i, (four, public) in enumerate(d["matters"])
    ])
    if d["weak_case"]:
        WeakCase.objects.create(entry=org, reasons="组织生活不规范", status=d["weak_case"],
                                rectified_on=datetime.date(year, 9, 1) if d["weak_case"] == "rectified" else None)

    talent = entries[Pillar.TALENT]
    TalentProfile.objects.create(entry=talent, secretary_training_hours=d["training_hours"])
    Cadre.objects.bulk_create([
        Cadre(entry=talent, post=post, education=education, birth_year=born, monthly_pay=pay, name=f"干部{i}",
              gender="male")
        for i, (post, education, born, pay) in enumerate(d["cadres"])
    ])
    posted = ([SentDownKind.FIRST_SECRETARY] * bool(d["first_secretary"])
              + [SentDownKind.TEAM_MEMBER] * d["team_members"]
              + [SentDownKind.TECH_COMMISSIONER] * d["tech_commissioners"]
              + [SentDownKind.REVITALIZATION_INSTRUCTOR] * d["instructors"])
    SentDown.objects.bulk_create([
        SentDown(entry=talent, kind=kind, sending_unit="市委组织部", start_date=datetime.date(year - 1, 3, 1),
                 name=f"派驻{i}", gender="male", birth_year=1985, education=Education.BACHELOR)
        for i, kind in enumerate(posted)
    ])
    Trainee.objects.bulk_create([
        Trainee(entry=talent, kind=kind, source="returnee", name=f"培养{i}", gender="female", birth_year=1998,
                education=Education.SENIOR)
        for i, kind in enumerate([TraineeKind.RESERVE] * d["reserve"] + [TraineeKind.LEADER_COUNTY] * d["leaders"])
    ])

    EconomyProfile.objects.create(
        entry=entries[Pillar.ECONOMY], operating_income=d["operating_income"],
        total_income=(d["operating_income"] or 0) + 10, organisation_registered=d["registered"],
        supervisory_board=d["supervisory_board"], disclosure_quarters=d["disclosure_quarters"],
        demonstration_base=d["demonstration_base"],
    )
    if d["previous_income"] is not None:
        previous = make_entry(Pillar.ECONOMY, year - 1, village=village)
        EconomyProfile.objects.create(entry=previous, operating_income=d["previous_income"])

    GovernanceProfile.objects.create(
        entry=entries[Pillar.GOVERNANCE], rules_revised_filed=d["rules"],
        council_villagers=d["councils"][0], council_ceremonies=d["councils"][1], council_morality=d["councils"][2],
        tool_points=d["tools"][0], tool_red_black=d["tools"][1], tool_stewards=d["tools"][2],
        households_visited=d["visited"], disputes=d["disputes"], disputes_resolved=d["resolved"],
        one_stop_service=d["one_stop"], model_selection_held=d["models"], major_incident=d["major_incident"],
    )

    SupportProfile.objects.create(
        entry=entries[Pillar.SUPPORT], secretary_annual_pay=d["annual_pay"], months_paid_on_time=d["months_on_time"],
        venue_standardised=d["venue_standardised"], venue_area=d["venue_area"], paid_leave=d["paid_leave"],
        health_checkup=d["health_checkup"],
    )
    return entries


def make_facilities(township: Township, year: int = YEAR, in_place: int = 6,
                    state: str = EntryState.APPROVED) -> TownshipFacilities:
    """The township's 五小 + 周转房 sheet with the first ``in_place`` of the six in place."""
    from support.choices import FACILITY_FIELDS

    entry = make_entry(Pillar.SUPPORT, year, township=township, state=state)
    return TownshipFacilities.objects.create(
        entry=entry, **{name: i < in_place for i, name in enumerate(FACILITY_FIELDS)})


@pytest.fixture
def village_data() -> Callable[..., dict[str, Entry]]:
    return make_village_data


@pytest.fixture
def facilities() -> Callable[..., TownshipFacilities]:
    return make_facilities


@pytest.fixture
def client(client):
    """The test client, with English chosen by the language switch (the site defaults to Chinese)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def eager_celery():
    """Run tasks in-process even when a broker is configured (the PostgreSQL leg)."""
    from wuqiang.celery import app

    saved = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager, app.conf.task_eager_propagates = True, True
    yield app
    app.conf.task_always_eager, app.conf.task_eager_propagates = saved


def rows(model, year: int = YEAR) -> list[dict]:
    """A stored table's rows of ``year`` as comparable dicts (no id, no time of computation)."""
    from django.forms.models import model_to_dict

    return sorted(
        ({k: v for k, v in model_to_dict(row).items() if k not in ("id", "computed_at")}
         for row in model.objects.filter(year_id=year)),
        key=repr,
    )


def wait_for_run(run, seconds: float = 60) -> None:
    """Poll a roll-up run until it is done or failed (or the time is up)."""
    from wuqiang.scoring.models import RunState

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        run.refresh_from_db()
        if run.state in (RunState.DONE, RunState.FAILED):
            return
        time.sleep(0.5)


@pytest.fixture
def scored(place: Place) -> Place:
    """The place scored for 2021: A1 and C1 perfect (五强示范), A2 earns 30 万元 (E1 loses
    points), B1 is listed as weak and lax (veto, 未达标), A3 entered nothing."""
    from organizations.choices import WeakCaseStatus
    from wuqiang.scoring.rollup import rollup_year

    for township in (place.township_a, place.township_b, place.township_c):
        make_facilities(township)
    make_village_data(place.a1)
    make_village_data(place.a2, operating_income=Decimal("30.00"))
    make_village_data(place.b1, weak_case=WeakCaseStatus.LISTED)
    make_village_data(place.c1)
    rollup_year(YEAR)
    return place


@pytest.fixture
def people(place: Place) -> dict[str, Any]:
    """One persona of each kind, two where scope must tell them apart."""
    return {
        "clerk_a": factories.ClerkFactory(username="clerk_a", township=place.township_a),
        "clerk_b": factories.ClerkFactory(username="clerk_b", township=place.township_b),
        "reviewer_x": factories.ReviewerFactory(username="reviewer_x", county=place.county_x),
        "reviewer_y": factories.ReviewerFactory(username="reviewer_y", county=place.county_y),
        "municipal": factories.MunicipalStaffFactory(username="municipal", municipality=place.municipality),
        "municipal_2": factories.MunicipalStaffFactory(username="municipal_2", municipality=place.municipality),
        "admin": factories.AdminFactory(username="admin"),
        "nobody": factories.UserFactory(username="nobody"),
    }


@pytest.fixture
def township_world(place):
    """Township A: A1 perfect (100), A2 at 90 with economy 13 (so only 达标), A3 with no data.
    Township B: B1 perfect but weak and lax, unrectified (veto). County Y: C1 at 98."""
    return make_township_world(place)


def make_township_world(place):
    """The data of ``township_world`` (for tests that build it more than once)."""
    for township in (place.township_a, place.township_b, place.township_c):
        make_facilities(township)
    make_village_data(place.a1)
    # O5 −1 (6 months), T2 −1 (one team member), E1 −5 (30 万元 → 7), E5 −2 (no growth), G3 −1 (75 %).
    make_village_data(place.a2, theme_day_months=6, team_members=1, operating_income=Decimal("30.00"),
                      previous_income=Decimal("30.00"), visited=75)
    make_village_data(place.b1, weak_case=WeakCaseStatus.RECTIFYING)
    make_village_data(place.c1, operating_income=Decimal("60.00"), previous_income=Decimal("50.00"))  # E1 −2
    get_year(YEAR)
    return place
