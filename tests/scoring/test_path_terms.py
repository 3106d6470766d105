"""The path to the next grade in the village's own terms (issue 18 item 2): a ratio step says the
count now, its base and how many more reach the target ("412 of 980 households: 568 more
households"; "412/980 户：再 568 户").

The stated number is checked against the roll-up itself: the fixture village is rebuilt with
exactly N more (households visited, grids with a party group, meetings, 万元 …), the roll-up
re-run, and the step's gain is earned; with one fewer (0.1 万元 fewer for money) it is not."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.utils import translation

from organizations.choices import REQUIRED_MEETINGS, MeetingKind
from talent.choices import CadrePost, Education
from tests.scoring.conftest import YEAR, make_facilities, make_village_data
from wuqiang.entries.models import Entry, EntryState, Pillar
from wuqiang.scoring import indicators as registry
from wuqiang.scoring.models import VillageIndicatorScore, VillagePathStep
from wuqiang.scoring.rollup import rollup_year
from wuqiang.scoring.selectors import step_terms, still_needed

pytestmark = pytest.mark.django_db

D = Decimal

MEETINGS_SHORT = {**REQUIRED_MEETINGS, MeetingKind.COMMITTEE: 5, MeetingKind.GROUP: 9}  # 22 of 32
COLLEGE, SENIOR = Education.COLLEGE, Education.SENIOR
N_CADRES, N_EDUCATED = 7, 1


def cadres(educated: int) -> list[tuple]:
    """Seven 两委 members, the first ``educated`` with college education; one under 35 (T4)."""
    posts = [CadrePost.SECRETARY_DIRECTOR] + [CadrePost.MEMBER] * (N_CADRES - 1)
    return [(post, COLLEGE if i < educated else SENIOR, 1995 if i == 1 else 1975, 3000)
            for i, post in enumerate(posts)]


def first(n: int, of: int = 3) -> tuple[bool, ...]:
    return tuple(i < n for i in range(of))


# A village short on every ratio indicator, each in numbers that need no rounding luck.
SHORT: dict[str, Any] = {
    "grids": 7, "grids_with_party_group": 3,  # O2: 4 more grids
    # One household is worth more than the 0.005 points the rule's rounding hides.
    "households": 196, "linked_households": 140,  # O3: 56 more households
    "meetings": MEETINGS_SHORT,  # O4: 10 more meetings (7 committee, 3 group)
    "theme_day_months": 5,  # O5: 7 more months
    "matters": [(True, True)] * 2 + [(False, True)] * 3,  # O6: 3 more of 5 matters
    "cadres": cadres(N_EDUCATED),  # T3: to 50 % of 7 — 3 more members (linear 0 → 0.5)
    "training_hours": D("12.5"),  # T8: 28 more hours (27.5 to go)
    "disclosure_quarters": 1,  # E4: 3 more quarters
    "operating_income": D("38.00"), "previous_income": D("37.30"),  # E5: 3.03 to go — 3.1 万元 more
    "councils": first(1),  # G2: 2 more councils
    "visited": 83,  # G3: 113 more households
    "disputes": 9, "resolved": 4,  # G4: 5 more disputes
    "tools": first(2),  # G5: 1 more tool
    "months_on_time": 7,  # S2: 5 more months
}
FACILITIES_IN_PLACE = 2  # S6: 4 more of the township's 6 facilities

# The base of each ratio, worked out here from the fixture's numbers, not read from the code.
BASES = {"O2": 7, "O3": 196, "O4": 32, "O5": 12, "O6": 5, "T3": N_CADRES, "T8": 40, "E4": 4, "E5": 37.3,
         "G2": 3, "G3": 196, "G4": 9, "G5": 3, "S2": 12, "S6": 6}
NEEDED = {"O2": 4, "O3": 56, "O4": 10, "O5": 7, "O6": 3, "T3": 3, "T8": 28, "E4": 3, "E5": D("3.1"),
          "G2": 2, "G3": 113, "G4": 5, "G5": 1, "S2": 5, "S6": 4}


def meetings_plus(n: int) -> dict:
    """``n`` more meetings, each of a kind still short of its requirement (a kind counts only up
    to its requirement)."""
    held = dict(MEETINGS_SHORT)
    for kind, required in REQUIRED_MEETINGS.items():
        extra = min(n, required - held[kind])
        held[kind] += extra
        n -= extra
    held[MeetingKind.PARTY_LECTURE] += n  # beyond every requirement: counts for nothing
    return held


# "n more" of each indicator as overrides of the fixture village (S6: of its township's sheet).
MORE: dict[str, Callable[[Any], dict[str, Any]]] = {
    "O2": lambda n: {"grids_with_party_group": 3 + n},
    "O3": lambda n: {"linked_households": 140 + n},
    "O4": lambda n: {"meetings": meetings_plus(n)},
    "O5": lambda n: {"theme_day_months": 5 + n},
    "O6": lambda n: {"matters": [(True, True)] * (2 + n) + [(False, True)] * (3 - n)},
    # The same seven members, n more of them with college education.
    "T3": lambda n: {"cadres": cadres(N_EDUCATED + n)},
    "T8": lambda n: {"training_hours": D("12.5") + n},
    "E4": lambda n: {"disclosure_quarters": 1 + n},
    "E5": lambda n: {"operating_income": D("38.00") + D(str(n))},
    "G2": lambda n: {"councils": first(1 + n)},
    "G3": lambda n: {"visited": 83 + n},
    "G4": lambda n: {"resolved": 4 + n},
    "G5": lambda n: {"tools": first(2 + n)},
    "S2": lambda n: {"months_on_time": 7 + n},
    "S6": lambda n: {"facilities": FACILITIES_IN_PLACE + n},
}


def rebuild(place, **overrides: Any) -> None:
    """A2's data again, with ``overrides`` of the short year; its township's facilities sheet too."""
    facilities = overrides.pop("facilities", FACILITIES_IN_PLACE)
    Entry.objects.filter(village=place.a2).delete()
    Entry.objects.filter(township=place.township_a, village__isnull=True).delete()
    make_facilities(place.township_a, in_place=facilities)
    make_village_data(place.a2, **{**SHORT, **overrides})


# The issue's own example, for the words: 412 of 980 households visited.
ISSUE_EXAMPLE = {**SHORT, "households": 980, "linked_households": 980, "visited": 412}


@pytest.fixture
def short_world(place):
    for township in (place.township_b, place.township_c):
        make_facilities(township)
    make_village_data(place.a1)
    make_village_data(place.a3, **ISSUE_EXAMPLE)
    rebuild(place)
    rollup_year(YEAR)
    return place


def steps_of(village) -> dict[str, VillagePathStep]:
    return {s.code: s for s in VillagePathStep.objects.filter(year_id=YEAR, village=village)}


def points(village, code: str) -> Decimal:
    return VillageIndicatorScore.objects.get(year_id=YEAR, village=village, code=code).points


def stated_more(step: VillagePathStep) -> Any:
    terms = step_terms(step, registry.indicator_def(step.code))
    assert terms is not None, step.code
    return D(str(terms.more)) if terms.money else int(terms.more)


def test_every_ratio_indicator_declares_a_unit_and_the_others_none():
    with_unit = {code for code, definition in registry.INDICATORS.items() if definition.has_denominator}
    assert with_unit == set(BASES)
    assert [code for code, d in registry.INDICATORS.items() if d.money] == ["E5"]


def test_the_stored_denominator_is_the_ratios_base(short_world):
    a2 = short_world.a2
    scores = {s.code: s for s in VillageIndicatorScore.objects.filter(year_id=YEAR, village=a2)}
    steps = steps_of(a2)
    for code, base in BASES.items():
        assert scores[code].denominator == pytest.approx(base), code
        assert steps[code].denominator == scores[code].denominator, code
    # value × denominator is the count behind the value: 83 of 196 households visited.
    assert round(scores["G3"].value * scores["G3"].denominator) == 83
    assert round(scores["O4"].value * scores["O4"].denominator) == 22
    assert round(scores["E5"].value * scores["E5"].denominator, 6) == pytest.approx(0.7)
    # Indicators that are no ratio store none.
    for code in ("O1", "T2", "E1", "S1"):
        assert scores[code].denominator is None, code


def test_a_zero_base_is_stored_as_zero_and_the_step_keeps_its_old_words(place):
    """A village with no disputes and no grids: G4 and O2 are "none" (G4 full points, O2 none),
    their base 0; O2's step is told as before."""
    make_facilities(place.township_a)
    make_village_data(place.a1, disputes=0, resolved=0, grids=0, grids_with_party_group=0)
    rollup_year(YEAR)
    g4 = VillageIndicatorScore.objects.get(year_id=YEAR, village=place.a1, code="G4")
    assert (g4.value, g4.denominator) == (None, 0)
    o2 = VillagePathStep.objects.get(year_id=YEAR, village=place.a1, code="O2")  # none scores 0 points
    assert o2.denominator == 0 and step_terms(o2, registry.indicator_def("O2")) is None


@pytest.mark.parametrize("code", sorted(BASES))
def test_the_stated_n_more_earns_the_gain_and_one_fewer_does_not(short_world, code):
    a2 = short_world.a2
    step = steps_of(a2)[code]
    n = stated_more(step)
    assert n == NEEDED[code]
    before = points(a2, code)
    one = D("0.1") if code == "E5" else 1

    rebuild(short_world, **MORE[code](n))
    rollup_year(YEAR)
    assert points(a2, code) == before + step.gain
    assert code not in steps_of(a2)

    rebuild(short_world, **MORE[code](n - one))
    rollup_year(YEAR)
    assert points(a2, code) < before + step.gain
    assert stated_more(steps_of(a2)[code]) == one  # and the path now asks for just that one


@pytest.mark.parametrize(("value", "target", "base", "step", "more"), [
    (412 / 980, 1, 980, 1, 568),  # (1 − 412/980) × 980 is 568.0000000000001 in floating point
    (0.0, 0.9, 980, 1, 882),
    (1 / 7, 0.5, 7, 1, 3),  # 2.5 to go
    (0.7 / 37.3, 0.1, 37.3, 0.1, 3.1),  # 3.03 万元 to go
    (0.0, 0.1, 30.0, 0.1, 3.0),
    (-0.7, 0.1, 100.0, 0.1, 80.0),
])
def test_still_needed_is_the_least_whole_count_despite_float_error(value, target, base, step, more):
    assert still_needed(value, target, base, step=step) == pytest.approx(more)


def test_the_words_in_both_languages(short_world):
    steps = steps_of(short_world.a3)
    from wuqiang.scoring.selectors import step_action

    with translation.override("zh-hans"):
        assert step_action(steps["G3"]) == "412/980 户：再 568 户"
        assert step_action(steps["O4"]) == "22/32 次：再 10 次"
        assert step_action(steps["E5"]) == "0.7/37.3 万元：再 3.1 万元"
    with translation.override("en"):
        assert step_action(steps["G3"]) == "412 of 980 households: 568 more households"
        assert step_action(steps["T8"]) == "12.5 of 40 hours: 28 more hours"
        assert step_action(steps["E5"]) == "0.7 of 37.3 10,000 yuan: 3.1 10,000 yuan more"


def test_the_village_page_shows_the_counts(client, short_world, people):
    from django.urls import reverse

    client.force_login(people["reviewer_x"])
    page = client.get(reverse("scoring:village", args=[short_world.a3.code]) + f"?year={YEAR}")
    lines = {line.code: line for line in page.context["grade_path"]["lines"]}
    assert lines["G3"].action == "412 of 980 households: 568 more households"
    assert "412 of 980 households: 568 more households" in page.content.decode()
    assert "7 of 12 months: 5 more months" in page.content.decode()  # S2


def test_the_village_page_in_chinese(client, short_world, people):
    from django.conf import settings
    from django.urls import reverse

    client.force_login(people["reviewer_x"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    page = client.get(reverse("scoring:village", args=[short_world.a3.code]) + f"?year={YEAR}")
    assert "412/980 户：再 568 户" in page.content.decode()


def test_the_report_sheet_shows_the_counts(short_world, people, tmp_path, settings):
    from tests.reports.conftest import read
    from wuqiang.reports import selectors
    from wuqiang.reports.workbook import build_report

    settings.MEDIA_ROOT = tmp_path / "media"
    user = people["reviewer_x"]
    gain = steps_of(short_world.a3)["G3"].gain
    for language, words in (("en", "412 of 980 households: 568 more households"),
                            ("zh-hans", "412/980 户：再 568 户")):
        path = tmp_path / f"report-{language}.xlsx"
        with translation.override(language):
            build_report(actor=user, unit=selectors.visible_unit_or_404(user, "520302"), year=YEAR,
                         output=str(path))
        workbook = read(path)
        # The path sheet comes right after the tickets sheet (its title is translated).
        sheet = workbook.worksheets[workbook.sheetnames.index(workbook.sheetnames[5])]
        cells = [str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None]
        assert any(f"G3 大走访覆盖率 {words} +{gain}" in cell for cell in cells), (language, cells)


def test_the_api_gives_the_denominator_and_the_words(client, short_world, people):
    client.force_login(people["reviewer_x"])
    body = client.get(f"/api/v1/paths/{short_world.a3.code}/{YEAR}/", HTTP_ACCEPT_LANGUAGE="en").json()
    steps = {s["code"]: s for s in body["steps"]}
    assert steps["G3"]["denominator"] == 980
    assert (steps["G3"]["count"], steps["G3"]["more"], steps["G3"]["unit"]) == (412, 568, "households")
    assert steps["G3"]["action"] == "412 of 980 households: 568 more households"
    assert steps["E5"]["more"] == pytest.approx(3.1)
    # Not a ratio: no count, the old words.
    assert steps["E1"]["count"] is None and steps["E1"]["more"] is None and steps["E1"]["unit"] == ""


def test_the_base_comes_from_approved_data_only(short_world):
    """Only approved data: with the organisation sheet returned, G3 has no household base."""
    Entry.objects.filter(village=short_world.a2, pillar=Pillar.ORGANIZATIONS).update(state=EntryState.RETURNED)
    rollup_year(YEAR)
    g3 = VillageIndicatorScore.objects.get(year_id=YEAR, village=short_world.a2, code="G3")
    assert g3.value is None and g3.denominator is None
