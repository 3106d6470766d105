"""The indicators read the records the way SPEC §5 defines them, from approved data only."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from organizations.choices import MeetingKind, WeakCaseStatus
from organizations.models import Meeting
from support.indicators import explain_pay_standard
from support.models import CountyIncome
from talent.choices import CadrePost, Education
from talent.models import SentDown
from tests.scoring.conftest import YEAR, get_year, make_facilities, make_village_data
from wuqiang.entries.models import EntryState, Pillar
from wuqiang.scoring.models import Grade, Scheme, VillageIndicatorScore, VillageScorecard
from wuqiang.scoring.rollup import rollup_year
from wuqiang.scoring.selectors import village_indicator_lines

pytestmark = pytest.mark.django_db


def run(year: int = YEAR) -> None:
    rollup_year(year)


def points(village, year: int = YEAR) -> dict[str, Decimal]:
    return dict(VillageIndicatorScore.objects.filter(year_id=year, village=village).values_list("code", "points"))


def card(village, year: int = YEAR) -> VillageScorecard:
    return VillageScorecard.objects.get(year_id=year, village=village)


@pytest.fixture
def spoiled(place):
    """Give village A1 a perfect year except for the overrides; return its points and card."""

    def make(**overrides):
        make_facilities(place.township_a)
        make_village_data(place.a1, **overrides)
        run()
        return points(place.a1), card(place.a1)

    return make


def test_a_perfect_village_scores_100_and_is_exemplary(spoiled):
    scored, scorecard = spoiled()

    assert len(scored) == 34
    assert sum(scored.values()) == Decimal(100)
    assert (scorecard.total, scorecard.grade, scorecard.approved_pillars) == (Decimal(100), Grade.EXEMPLARY, 5)
    assert [score for _, score in scorecard.pillar_scores()] == [Decimal(20)] * 5


def test_meetings_count_each_kind_only_up_to_its_requirement(spoiled):
    held = {MeetingKind.PARTY_CONGRESS: 4, MeetingKind.COMMITTEE: 6, MeetingKind.GROUP: 12,
            MeetingKind.PARTY_LECTURE: 10}
    scored, _ = spoiled(meetings=held)

    assert scored["O4"] == Decimal("3.25")  # (4 + 6 + 12 + 4) / 32 × 4


def test_theme_days_count_distinct_months(spoiled):
    scored, _ = spoiled(theme_day_months=6)

    assert scored["O5"] == Decimal("1.00")


def test_a_month_with_several_theme_days_counts_once_and_other_years_not_at_all(place):
    make_facilities(place.township_a)
    entries = make_village_data(place.a1, theme_day_months=6)  # January to June, on the 5th
    organisation = entries[Pillar.ORGANIZATIONS]
    Meeting.objects.bulk_create([
        Meeting(entry=organisation, kind=MeetingKind.THEME_DAY, date=datetime.date(YEAR, 3, 20)),  # March again
        Meeting(entry=organisation, kind=MeetingKind.THEME_DAY, date=datetime.date(YEAR, 6, 30)),  # June again
        Meeting(entry=organisation, kind=MeetingKind.THEME_DAY, date=datetime.date(YEAR - 1, 12, 31)),
        Meeting(entry=organisation, kind=MeetingKind.THEME_DAY, date=datetime.date(YEAR + 1, 7, 1)),
        Meeting(entry=organisation, kind=MeetingKind.PARTY_LECTURE, date=datetime.date(YEAR, 8, 1)),  # not one
        Meeting(entry=organisation, kind=MeetingKind.THEME_DAY, date=datetime.date(YEAR, 12, 31)),  # December
    ])
    run()

    o5 = VillageIndicatorScore.objects.get(year_id=YEAR, village=place.a1, code="O5")
    assert (o5.value * 12, o5.denominator) == (pytest.approx(7), 12)


def test_major_matters_need_both_deliberation_and_disclosure(spoiled):
    scored, _ = spoiled(matters=[(True, True), (True, False), (False, True), (True, True)])

    assert scored["O6"] == Decimal("1.50")


def test_no_major_matters_counts_full(spoiled):
    scored, _ = spoiled(matters=[])

    assert scored["O6"] == Decimal("3.00")


def test_grid_and_household_ratios(spoiled):
    scored, _ = spoiled(grids=8, grids_with_party_group=6, households=200, linked_households=150, visited=100)

    assert (scored["O2"], scored["O3"], scored["G3"]) == (Decimal("2.25"), Decimal("1.50"), Decimal("2.00"))


def test_posting_that_ended_before_the_year_is_not_in_post(place, spoiled):
    scored, _ = spoiled(first_secretary=True)
    assert scored["T1"] == Decimal(3)

    SentDown.objects.filter(kind="first_secretary").update(end_date=f"{YEAR - 1}-12-31")
    run()

    assert points(place.a1)["T1"] == Decimal(0)


def test_team_members_reserve_and_training(spoiled):
    scored, _ = spoiled(team_members=1, reserve=1, training_hours=Decimal(30))

    assert (scored["T2"], scored["T5"], scored["T8"]) == (Decimal(1), Decimal("1.50"), Decimal("2.25"))


def test_education_share_and_young_cadre(spoiled):
    cadres = [("secretary_director", "senior", 1970, 5000), ("member", "college", 1980, 3500),
              ("member", "junior", 1975, 3500), ("member", "junior", 1972, 3500)]
    scored, _ = spoiled(cadres=cadres)

    assert scored["T3"] == Decimal("1.50")  # 1 of 4 = 25 %, half of the way to 50 %
    assert scored["T4"] == Decimal(0)  # nobody born after 1986


def test_growth_without_last_year_scores_zero(spoiled):
    scored, _ = spoiled(previous_income=None)

    assert scored["E5"] == Decimal(0)
    assert VillageIndicatorScore.objects.get(code="E5").value is None


def test_growth_is_linear_to_ten_percent(spoiled):
    scored, _ = spoiled(operating_income=Decimal("105.00"), previous_income=Decimal("100.00"))

    assert scored["E5"] == Decimal("1.00")


def test_growth_ignores_last_year_data_not_approved(place, spoiled):
    from economy.models import EconomyProfile
    from wuqiang.entries.models import Entry

    scored, _ = spoiled()
    assert scored["E5"] == Decimal(2)
    Entry.objects.filter(year_id=YEAR - 1).update(state=EntryState.SUBMITTED)
    run()

    assert points(place.a1)["E5"] == Decimal(0)
    assert EconomyProfile.objects.filter(entry__year_id=YEAR - 1).exists()


def test_disputes_resolved_and_none_counts_full(spoiled):
    scored, _ = spoiled(disputes=4, resolved=3)
    assert scored["G4"] == Decimal("3.00")


def test_councils_and_tools_count_thirds(spoiled):
    scored, _ = spoiled(councils=(True, False, None), tools=(True, True, False))

    assert (scored["G2"], scored["G5"]) == (Decimal("1.00"), Decimal("2.00"))


def test_pay_standard_for_a_secretary_director_is_50000(spoiled):
    scored, _ = spoiled(annual_pay=49_999)
    assert scored["S1"] == Decimal(0)


SEPARATE_POSTS = [(CadrePost.SECRETARY, Education.COLLEGE, 1980, 4500),
                  (CadrePost.DIRECTOR, Education.COLLEGE, 1982, 4200)]


def test_pay_standard_without_director_is_40000(spoiled):
    scored, _ = spoiled(annual_pay=45_000, secretary_is_director=False, cadres=SEPARATE_POSTS)
    assert scored["S1"] == Decimal(5)


def _s1(village):
    return VillageIndicatorScore.objects.get(village=village, year_id=YEAR, code="S1")


def test_s1_takes_the_director_fact_from_the_approved_talent_sheet_when_organisations_is_not_approved(place):
    # SPEC §5: the fact comes from whichever approved pillar states it. 520322102201 in the demo
    # was paid 49,284 against the 50,000 floor and scored 5 while organisations awaited review.
    make_facilities(place.township_a)
    make_village_data(place.a1, annual_pay=49_284, states={Pillar.ORGANIZATIONS: EntryState.SUBMITTED})
    run()

    score = _s1(place.a1)
    assert score.points == Decimal(0)
    assert (score.basis, score.reference) == ("talent_yes-floor", Decimal(50_000))
    line = next(line for line in village_indicator_lines(
        VillageScorecard.objects.get(village=place.a1, year_id=YEAR),
        Scheme.objects.get(municipality=place.municipality, year_id=YEAR)) if line.code == "S1")
    assert "50,000" in line.why and "talent" in line.why


def test_s1_says_when_no_approved_sheet_states_the_director_fact(place):
    make_facilities(place.township_a)
    make_village_data(place.a1, annual_pay=45_000,
                      states={Pillar.ORGANIZATIONS: EntryState.SUBMITTED, Pillar.TALENT: EntryState.RETURNED})
    run()

    score = _s1(place.a1)
    assert score.points == Decimal(5)  # the base standard: nobody has established 一肩挑
    assert (score.basis, score.reference) == ("unknown-floor", Decimal(40_000))
    assert "not applied" in str(explain_pay_standard(score.basis, score.reference))


def test_s1_applies_the_director_floor_when_either_approved_sheet_says_so(place):
    make_facilities(place.township_a)
    make_village_data(place.a1, annual_pay=45_000, secretary_is_director=True, cadres=SEPARATE_POSTS)
    make_village_data(place.a2, annual_pay=45_000, secretary_is_director=False)
    run()

    assert (_s1(place.a1).basis, _s1(place.a1).points) == ("org_yes-floor", Decimal(0))
    assert (_s1(place.a2).basis, _s1(place.a2).points) == ("talent_yes-floor", Decimal(0))


def test_pay_standard_is_three_times_last_years_county_income(place):
    make_facilities(place.township_a)
    make_village_data(place.a1, annual_pay=59_000)
    make_village_data(place.a2, annual_pay=60_000)
    CountyIncome.objects.create(county=place.county_x, year=get_year(YEAR - 1), rural_income_per_capita=20_000)
    run()

    assert (points(place.a1)["S1"], points(place.a2)["S1"]) == (Decimal(0), Decimal(5))


def test_venue_needs_standardisation_and_200_square_metres(spoiled):
    scored, _ = spoiled(venue_area=Decimal("199.9"))
    assert scored["S3"] == Decimal(0)


def test_township_facilities_are_inherited_by_every_village(place):
    make_facilities(place.township_a, in_place=3)
    make_village_data(place.a1)
    make_village_data(place.a2)
    run()

    assert points(place.a1)["S6"] == points(place.a2)["S6"] == Decimal("2.00")


def test_township_facilities_not_approved_score_nothing(place):
    make_facilities(place.township_a, state=EntryState.SUBMITTED)
    make_village_data(place.a1)
    run()

    assert points(place.a1)["S6"] == Decimal(0)


def test_a_pillar_not_approved_scores_zero_and_shows_as_missing(place):
    make_facilities(place.township_a)
    make_village_data(place.a1, states={Pillar.ORGANIZATIONS: EntryState.SUBMITTED})
    run()

    scorecard = card(place.a1)
    # G3 divides by the households approved under organizations: none approved, no points.
    assert (scorecard.organizations, scorecard.governance, scorecard.total, scorecard.approved_pillars) == (
        0, Decimal(16), Decimal(76), 4)
    assert scorecard.completeness == Decimal(80)
    assert not [code for code in points(place.a1) if code.startswith("O")]


def test_figures_count_approved_entries_only(place):
    # Like scores (issue 14): a draft reports nothing yet; tests/scoring/test_figures_basis.py.
    make_facilities(place.township_a)
    make_village_data(place.a1, states={p: EntryState.DRAFT for p in Pillar.values}, demonstration_base=True)
    run()

    scorecard = card(place.a1)
    assert scorecard.total == 0
    assert (scorecard.combined, scorecard.competition, scorecard.sent_down_in_post, scorecard.reserve_trainees,
            scorecard.leader_trainees, scorecard.tech_commissioners_in_post, scorecard.demonstration_bases,
            scorecard.operating_income, scorecard.income_above_50) == (0, 0, 0, 0, 0, 0, 0, None, 0)
    assert (scorecard.pay_combined_sum, scorecard.pay_combined_count, scorecard.pay_deputy_sum,
            scorecard.pay_deputy_count) == (0, 0, 0, 0)


@pytest.mark.parametrize(("overrides", "veto"), [
    ({"weak_case": WeakCaseStatus.RECTIFYING}, "weak_unrectified"),
    ({"weak_case": WeakCaseStatus.LISTED}, "weak_unrectified"),
    ({"operating_income": Decimal("9.99"), "previous_income": Decimal("9.00")}, "income_below_10"),
    ({"major_incident": True}, "major_incident"),
])
def test_each_veto_caps_the_grade_at_fail(spoiled, overrides, veto):
    _, scorecard = spoiled(**overrides)

    assert scorecard.veto_codes == [veto]
    assert scorecard.grade == Grade.FAIL


def test_a_rectified_weak_case_is_no_veto(spoiled):
    _, scorecard = spoiled(weak_case=WeakCaseStatus.RECTIFIED)

    assert (scorecard.vetoes, scorecard.grade) == ("", Grade.EXEMPLARY)


def test_a_disabled_veto_does_not_apply(place):
    from wuqiang.scoring.services import scheme_for

    make_facilities(place.township_a)
    make_village_data(place.a1, major_incident=True)
    scheme = scheme_for(municipality_id=place.municipality.pk, year=YEAR)
    scheme.vetoes.filter(code="major_incident").update(enabled=False)
    run()

    assert card(place.a1).grade == Grade.EXEMPLARY


def test_vetoes_read_approved_data_only(place):
    make_facilities(place.township_a)
    make_village_data(place.a1, major_incident=True, states={Pillar.GOVERNANCE: EntryState.SUBMITTED})
    run()

    assert card(place.a1).vetoes == ""
