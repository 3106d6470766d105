"""Path to the next grade (issue 18 item 2): every listed gain is what the roll-up gives once the
suggested change is made — applied to the fixture data, re-run, compared."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from organizations.choices import WeakCaseStatus
from tests.scoring.conftest import YEAR, make_facilities, make_village_data
from wuqiang.entries.models import Entry, Pillar
from wuqiang.scoring.models import (
    Grade,
    StepKind,
    VillageIndicatorScore,
    VillagePath,
    VillagePathStep,
    VillageScorecard,
)
from wuqiang.scoring.rollup import rollup_year

pytestmark = pytest.mark.django_db

D = Decimal

# A2's year: six shortfalls, each fixable by one change of the data.
SHORT: dict[str, Any] = {
    "theme_day_months": 6,  # O5 linear: 1 of 2 points
    "points_system": False,  # O8 yes/no: 0 of 1
    "team_members": 1,  # T2 bands: 1 of 2
    "operating_income": D("30.00"), "previous_income": D("30.00"),  # E1 bands: 7 of 12; E5: 0 of 2
    "visited": 75,  # G3 linear: 3 of 4
    "annual_pay": 45_000,  # S1: below the 50,000 standard of a secretary-director: 0 of 5
}


def apply(step: VillagePathStep) -> dict[str, Any]:
    """The data change the step asks for, as overrides of the fixture village."""
    t = step.target
    return {
        "O5": lambda: {"theme_day_months": round(t * 12)},
        "O8": lambda: {"points_system": True},
        "T2": lambda: {"team_members": int(t)},
        "E1": lambda: {"operating_income": D(str(t)).quantize(D("0.01"))},
        "E5": lambda: {"operating_income": (D("30.00") * D(str(1 + t))).quantize(D("0.01"))},
        "G3": lambda: {"visited": round(t * 100)},
        "S1": lambda: {"annual_pay": int(step.reference)},
    }[step.code]()


def rebuild(village, **overrides: Any) -> None:
    Entry.objects.filter(village=village).delete()
    make_village_data(village, **{**SHORT, **overrides})


@pytest.fixture
def path_world(place):
    for township in (place.township_a, place.township_b, place.township_c):
        make_facilities(township)
    make_village_data(place.a1)
    make_village_data(place.a2, **SHORT)
    make_village_data(place.b1, weak_case=WeakCaseStatus.LISTED)
    make_village_data(place.c1)
    rollup_year(YEAR)
    return place


def points(village, code: str) -> Decimal:
    return VillageIndicatorScore.objects.get(year_id=YEAR, village=village, code=code).points


def test_every_listed_gain_is_what_the_rollup_gives_after_the_change(path_world):
    a2 = path_world.a2
    steps = list(VillagePathStep.objects.filter(year_id=YEAR, village=a2).order_by("-gain", "code"))
    gains = {s.code: s.gain for s in steps}
    assert gains == {"O5": D(1), "O8": D(1), "T2": D(1), "E1": D(3), "E5": D(2), "G3": D(1), "S1": D(5)}
    before_total = VillageScorecard.objects.get(year_id=YEAR, village=a2).total
    for step in steps:
        before = points(a2, step.code)
        rebuild(a2, **apply(step))
        rollup_year(YEAR)
        assert points(a2, step.code) == before + step.gain, step.code
        assert VillageScorecard.objects.get(year_id=YEAR, village=a2).total >= before_total + step.gain
        rebuild(a2)
        rollup_year(YEAR)


def test_path_states_the_next_grade_and_the_points_it_needs(path_world):
    paths = {p.village_id: p for p in VillagePath.objects.filter(year_id=YEAR)}
    a2 = VillageScorecard.objects.get(year_id=YEAR, village=path_world.a2)
    # Lost: O5 1, O8 1, T2 1, E1 5 (the next band earns 3 of them), E5 2, G3 1, S1 5.
    assert a2.total == D(84) and a2.grade == Grade.PASS
    assert paths[path_world.a2.pk].next_grade == Grade.EXEMPLARY
    assert paths[path_world.a2.pk].points_needed == D(6)
    assert paths[path_world.a1.pk].next_grade == ""  # already exemplary: nowhere higher
    assert not VillagePathStep.objects.filter(year_id=YEAR, village=path_world.a1).exists()
    # B1 is perfect on points but vetoed: clearing the veto is all it takes.
    assert paths[path_world.b1.pk].next_grade == Grade.EXEMPLARY
    assert paths[path_world.b1.pk].points_needed == D(0)
    assert list(VillagePathStep.objects.filter(year_id=YEAR, village=path_world.b1)
                .values_list("kind", "code")) == [(StepKind.VETO, "weak_unrectified")]
    # A3 entered nothing: every pillar to have approved, 20 points each; 60 needed for 基本达标.
    a3 = VillagePathStep.objects.filter(year_id=YEAR, village=path_world.a3)
    assert sorted(a3.values_list("code", "gain")) == sorted((p, D(20)) for p in Pillar.values)
    assert paths[path_world.a3.pk].next_grade == Grade.BASIC
    assert paths[path_world.a3.pk].points_needed == D(60)


def test_rerun_replaces_paths_whole(path_world):
    count = VillagePathStep.objects.count()
    rollup_year(YEAR)
    assert VillagePathStep.objects.count() == count
    assert VillagePath.objects.filter(year_id=YEAR).count() == 5


def test_the_village_scorecard_shows_the_path_vetoes_first_then_by_points(client, scored, people):
    from django.urls import reverse

    client.force_login(people["reviewer_x"])
    b1 = client.get(reverse("scoring:village", args=["520302100201"]) + f"?year={YEAR}")
    lines = b1.context["grade_path"]["lines"]
    assert [line.kind for line in lines][:1] == [StepKind.VETO]
    assert b'data-testid="grade-path"' in b1.content
    a2 = client.get(reverse("scoring:village", args=["520302001202"]) + f"?year={YEAR}")
    lines = a2.context["grade_path"]["lines"]
    # A2 earns 30 万元: E1 reaches 50 for +3, E5 growth of 10 % for +2 (its income fell from 100).
    assert [(line.code, line.gain) for line in lines] == [("E1", D(3)), ("E5", D(2))]
    assert "30.00 → 50.00" in lines[0].action
    assert a2.context["grade_path"]["path"].points_needed == D(0)  # 93 ≥ 90, but a pillar is short
    assert a2.context["grade_path"]["pillars_short"] == [str(Pillar.ECONOMY.label)]


def test_another_countys_reviewer_sees_no_path(client, scored, people):
    from django.urls import reverse

    client.force_login(people["reviewer_y"])
    response = client.get(reverse("scoring:village", args=["520302001202"]) + f"?year={YEAR}")
    assert response.status_code == 404
    assert not VillagePath.objects.visible_to(people["reviewer_y"]).filter(village=scored.a2).exists()
    assert VillagePath.objects.visible_to(people["reviewer_x"]).filter(village=scored.a2).exists()
