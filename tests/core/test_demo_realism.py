"""The demo city behaves like a real one (issue 14): villages continue from year to year, the
records agree with each other and with the rules every door enforces, counties and villages
differ as a real campaign's do, and the seeded entries carry what the entry services leave
(history, flags, snapshots, roll-up runs).

Seeding takes a while, so it runs once for the module inside a transaction that is rolled back
afterwards; each test's own changes are undone by its savepoint.
"""

from __future__ import annotations

import datetime
import io
import random
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterator
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, F, Q

from economy.models import EconomyProfile
from governance.models import GovernanceProfile
from organizations.choices import MeetingKind
from organizations.models import BranchProfile, Meeting
from support.models import CountyIncome, SupportProfile
from talent.choices import CadrePost
from talent.models import Cadre, SentDown, Trainee
from wuqiang.accounts.models import User
from wuqiang.core.demo.anomalies import plan_anomalies
from wuqiang.core.demo.hierarchy import DemoCity
from wuqiang.core.demo.workflow import AS_OF
from wuqiang.core.management.commands.seed_demo import DEMO_SEED
from wuqiang.entries.models import Change, ChangeAction, ChangeSource, Entry, EntryState, Pillar
from wuqiang.entries.quality import quality_flags
from wuqiang.entries.registry import sheet_for_entry
from wuqiang.entries.services import entry_save
from wuqiang.entries.snapshots import take_snapshot
from wuqiang.entries.validation import RecordRows, SheetInput, python_values
from wuqiang.regions.models import County, Municipality, MunicipalYear, Township, Village, YearState
from wuqiang.scoring.models import CountyScorecard, RollupRun, RunState, VillageScorecard

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

YEARS = (2020, 2021, 2022)
PUBLISHED = (2020, 2021)
# A seated 支委会 is the committee, plus perhaps a first secretary or a reserve cadre sitting in.
COMMITTEE_ALLOWANCE = 2


@pytest.fixture(scope="module", autouse=True)
def demo_city(django_db_setup, django_db_blocker) -> Iterator[None]:
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", stdout=io.StringIO())
        yield
        transaction.set_rollback(True)


def _anomalies():
    city = DemoCity(Municipality.objects.get(code="520300"), list(County.objects.order_by("code")),
                    list(Township.objects.order_by("code")), list(Village.objects.order_by("code")))
    return plan_anomalies(city, DEMO_SEED, list(YEARS))


def _village_entries(year: int, pillar: str | None = None):
    entries = Entry.objects.filter(year_id=year, village__isnull=False)
    return entries.filter(pillar=pillar) if pillar else entries


def _sample(queryset, n: int, seed: str) -> list:
    ids = sorted(queryset.values_list("pk", flat=True))
    return list(Entry.objects.filter(pk__in=random.Random(seed).sample(ids, min(n, len(ids)))).order_by("pk"))


# --- Continuity -------------------------------------------------------------------------------


def _by_village(model, field: str, year: int) -> dict[int, object]:
    return dict(model.objects.filter(entry__year_id=year, entry__village__isnull=False)
                .values_list("entry__village_id", field))


@pytest.mark.parametrize(("before", "after"), [(2020, 2021), (2021, 2022)])
def test_under_3_percent_of_villages_change_households_by_more_than_a_fifth(before, after):
    old, new = _by_village(BranchProfile, "households", before), _by_village(BranchProfile, "households", after)
    jumps = [v for v in old if abs(new[v] / old[v] - 1) > 0.2]

    assert len(old) == 1728
    assert len(jumps) / len(old) < 0.03
    assert statistics.mean(abs(new[v] / old[v] - 1) for v in old) < 0.03


@pytest.mark.parametrize(("before", "after"), [(2020, 2021), (2021, 2022)])
def test_party_members_drift_a_few_percent_and_the_organisation_type_stays(before, after):
    old, new = _by_village(BranchProfile, "party_members", before), _by_village(BranchProfile, "party_members", after)
    old_type, new_type = _by_village(BranchProfile, "org_type", before), _by_village(BranchProfile, "org_type", after)

    assert statistics.mean(abs(new[v] / old[v] - 1) for v in old) < 0.05
    assert old_type == new_type


@pytest.mark.parametrize(("before", "after"), [(2020, 2021), (2021, 2022)])
def test_operating_income_grows_and_rarely_moves_threefold(before, after):
    old = _by_village(EconomyProfile, "operating_income", before)
    new = _by_village(EconomyProfile, "operating_income", after)
    ratios = [new[v] / old[v] for v in old]

    assert sum(not Decimal("0.3334") <= r <= 3 for r in ratios) <= 3
    assert 1 < statistics.median(ratios) < Decimal("1.2")


def test_most_cadres_serve_on_after_the_2021_election_and_most_postings_continue():
    def people(model, year):
        return set(model.objects.filter(entry__year_id=year).values_list("entry__village_id", "name", "birth_year"))

    cadres = {year: people(Cadre, year) for year in YEARS}
    postings = {year: people(SentDown, year) for year in YEARS}
    # The election replaced some cadres; the next year almost everyone stayed on.
    assert 0.4 < len(cadres[2020] & cadres[2021]) / len(cadres[2021]) < 0.85
    assert len(cadres[2021] & cadres[2022]) / len(cadres[2022]) > 0.9
    assert len(postings[2021] & postings[2022]) / len(postings[2022]) > 0.6


def test_under_5_percent_of_2022_village_entries_carry_a_flag():
    entries = _village_entries(2022)

    assert entries.exclude(quality_flags=[]).count() / entries.count() < 0.05


def test_each_seeded_anomaly_carries_a_flag_and_where_submitted_an_explanation():
    anomalies = _anomalies()
    assert {a.year for a in anomalies} == set(YEARS)
    for anomaly in anomalies:
        entry = Entry.objects.get(year_id=anomaly.year, village_id=anomaly.village_id, pillar=anomaly.pillar)
        assert anomaly.field in {f["field"] for f in entry.quality_flags}, anomaly
        assert entry.state == anomaly.state, anomaly
        if entry.submitted_at is not None:
            assert entry.flag_explanation == anomaly.explanation != "", anomaly
        if anomaly.return_comment:
            assert entry.review_comment == anomaly.return_comment


def test_every_flagged_entry_that_was_submitted_explains_its_flags():
    flagged = Entry.objects.exclude(quality_flags=[])

    assert flagged.exists()
    assert not flagged.filter(submitted_at__isnull=False, flag_explanation="").exists()


@pytest.mark.parametrize("year", YEARS)
def test_the_stored_flags_are_what_the_quality_rule_computes(year):
    watched = _village_entries(year).filter(pillar__in=[Pillar.ORGANIZATIONS, Pillar.ECONOMY])
    sample = _sample(watched.filter(quality_flags=[]), 24, f"flags-{year}") + list(watched.exclude(quality_flags=[]))

    for entry in sample:
        assert entry.quality_flags == quality_flags(entry, sheet_for_entry(entry)), entry


# --- Consistency ------------------------------------------------------------------------------


def test_no_meeting_has_more_attendees_than_the_branch_has_members():
    members = dict(BranchProfile.objects.values_list("entry_id", "party_members"))
    over = [(e, a) for e, a in Meeting.objects.values_list("entry_id", "attendance") if a > members[e]]

    assert Meeting.objects.count() > 200_000
    assert over == []


def test_every_party_members_meeting_is_quorate():
    members = dict(BranchProfile.objects.values_list("entry_id", "party_members"))
    congresses = Meeting.objects.filter(kind=MeetingKind.PARTY_CONGRESS).values_list("entry_id", "attendance")

    assert [(e, a) for e, a in congresses if a * 2 <= members[e]] == []


def _committee_sizes() -> dict[tuple[int, int], int]:
    return _per_village_and_year(Cadre.objects.all())


def test_branch_committee_meetings_are_attended_by_about_the_two_committees():
    sizes = _committee_sizes()
    meetings = (Meeting.objects.filter(kind=MeetingKind.COMMITTEE)
                .values_list("entry__village_id", "entry__year_id", "attendance"))
    attendance = defaultdict(list)
    for village, year, count in meetings:
        attendance[(village, year)].append(count)

    assert len(attendance) == 1728 * len(YEARS)
    assert [k for k, counts in attendance.items() if max(counts) > sizes[k] + COMMITTEE_ALLOWANCE] == []
    # ≈ the 两委: on average within two of its size.
    assert statistics.mean(sizes[k] - statistics.mean(c) for k, c in attendance.items()) < 2


def _per_village_and_year(queryset) -> dict[tuple[int, int], int]:
    rows = (queryset.order_by().values("entry__village_id", "entry__year_id").annotate(n=Count("pk"))
            .values_list("entry__village_id", "entry__year_id", "n"))
    return {(village, year): n for village, year, n in rows}


def test_trainees_now_on_the_committees_equal_the_cadres_from_the_reserve_pool_in_every_village():
    trainees = _per_village_and_year(Trainee.objects.filter(now_cadre=True))
    cadres = _per_village_and_year(Cadre.objects.filter(from_reserve_pool=True))

    assert sum(trainees.values()) > 10_000
    assert trainees == cadres


def test_a_trainee_now_on_the_committees_is_the_same_person_as_a_cadre_from_the_pool():
    people = {"name", "gender", "birth_year", "education"}
    trainees = Counter(Trainee.objects.filter(now_cadre=True).values_list("entry__village_id", "entry__year_id",
                                                                         *sorted(people)))
    cadres = Counter(Cadre.objects.filter(from_reserve_pool=True).values_list("entry__village_id", "entry__year_id",
                                                                             *sorted(people)))
    assert trainees == cadres


@pytest.mark.parametrize("year", YEARS)
def test_every_posting_overlaps_the_year_it_is_listed_in_and_stays_within_the_bounds(year):
    postings = SentDown.objects.filter(entry__year_id=year)
    first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)

    assert postings.count() > 3000
    assert not postings.filter(Q(start_date__gt=last) | Q(end_date__lt=first)).exists()
    assert not postings.filter(start_date__lt=datetime.date(year - 10, 1, 1)).exists()
    assert not postings.filter(end_date__gt=datetime.date(year + 5, 12, 31)).exists()
    assert postings.count() == SentDown.objects.in_post(year).filter(entry__year_id=year).count()


def test_the_secretary_is_also_the_director_on_both_sheets_or_on_neither():
    flags = dict(((v, y), f) for v, y, f in BranchProfile.objects.values_list(
        "entry__village_id", "entry__year_id", "secretary_is_director"))
    posts = defaultdict(list)
    for village, year, post in Cadre.objects.filter(
            post__in=[CadrePost.SECRETARY_DIRECTOR, CadrePost.SECRETARY, CadrePost.DIRECTOR]).values_list(
            "entry__village_id", "entry__year_id", "post"):
        posts[(village, year)].append(post)

    assert len(flags) == 1728 * len(YEARS)
    for key, combined in flags.items():
        expected = [CadrePost.SECRETARY_DIRECTOR] if combined else [CadrePost.SECRETARY, CadrePost.DIRECTOR]
        assert sorted(posts[key]) == sorted(expected), key


def test_the_support_sheet_pays_the_secretary_the_talent_sheet_lists():
    monthly = dict(((v, y), p) for v, y, p in Cadre.objects.filter(
        post__in=[CadrePost.SECRETARY_DIRECTOR, CadrePost.SECRETARY]).values_list(
        "entry__village_id", "entry__year_id", "monthly_pay"))
    annual = SupportProfile.objects.values_list("entry__village_id", "entry__year_id", "secretary_annual_pay")

    assert [(v, y) for v, y, pay in annual if pay != monthly[(v, y)] * 12] == []


def test_households_visited_never_exceed_the_households_of_the_same_village_and_year():
    households = dict(((v, y), h) for v, y, h in BranchProfile.objects.values_list(
        "entry__village_id", "entry__year_id", "households"))
    visited = GovernanceProfile.objects.values_list("entry__village_id", "entry__year_id", "households_visited")

    assert [(v, y) for v, y, n in visited if n > households[(v, y)]] == []


def test_every_pay_standard_year_has_the_county_income_of_the_year_before():
    for year in YEARS:
        assert CountyIncome.objects.filter(year_id=year - 1).count() == 14, year


# --- Spread -----------------------------------------------------------------------------------


@pytest.mark.parametrize("year", PUBLISHED)
def test_county_mean_totals_span_at_least_ten_points(year):
    means = list(CountyScorecard.objects.filter(year_id=year).values_list("mean_total", flat=True))

    assert len(means) == 14
    assert max(means) - min(means) >= 10


@pytest.mark.parametrize("year", PUBLISHED)
def test_at_least_2_percent_of_complete_villages_score_below_60_on_points_alone(year):
    complete = VillageScorecard.objects.filter(year_id=year, approved_pillars=5)

    assert complete.count() == 1728
    assert complete.filter(total__lt=60).count() / complete.count() >= 0.02


@pytest.mark.parametrize("year", PUBLISHED)
def test_veto_cases_occur_in_at_least_five_counties(year):
    vetoed = VillageScorecard.objects.filter(year_id=year).exclude(vetoes="")

    assert vetoed.values("county_id").distinct().count() >= 5


# --- The campaign and what the services leave -------------------------------------------------


def test_2020_and_2021_are_published_with_every_entry_approved_and_2022_is_open_with_a_deadline():
    states = dict(MunicipalYear.objects.filter(municipality__code="520300").values_list("year_id", "state"))
    assert states == {2019: YearState.PUBLISHED, 2020: YearState.PUBLISHED, 2021: YearState.PUBLISHED,
                      2022: YearState.OPEN}
    for year in PUBLISHED:
        assert not Entry.objects.filter(year_id=year).exclude(state=EntryState.APPROVED).exists()
        assert Entry.objects.filter(year_id=year).count() == 1728 * 5 + 200
    window = MunicipalYear.objects.get(municipality__code="520300", year_id=2022)
    assert window.entry_closes > AS_OF


def test_2022_entries_are_spread_over_every_state():
    counts = dict(_village_entries(2022).values_list("state").annotate(n=Count("pk")).values_list("state", "n"))
    total = sum(counts.values())

    assert total == 1728 * 5
    assert {state: counts.get(state, 0) / total >= 0.02 for state in EntryState.values} == dict.fromkeys(
        EntryState.values, True)


@pytest.mark.parametrize("year", YEARS)
def test_submissions_are_spread_over_weeks_and_reviews_follow_them(year):
    entries = Entry.objects.filter(year_id=year, submitted_at__isnull=False)
    days = Counter(e.date() for e in entries.values_list("submitted_at", flat=True))

    assert max(days) - min(days) >= datetime.timedelta(weeks=8)
    assert len(days) >= 30
    assert max(days.values()) / entries.count() < 0.1
    # A decision follows the submission it decides on (a submitted entry's last decision, if
    # any, came before it was submitted again).
    assert not entries.exclude(state=EntryState.SUBMITTED).filter(reviewed_at__lt=F("submitted_at")).exists()


@pytest.mark.parametrize("year", YEARS)
def test_every_submission_and_review_step_is_in_the_history_by_the_clerk_and_the_reviewer(year):
    entries = {e.pk: e for e in Entry.objects.filter(year_id=year).select_related("township", "county")}
    steps = defaultdict(list)
    for change in Change.objects.filter(entry__year_id=year).select_related("actor").order_by("at", "pk"):
        steps[change.entry_id].append(change)
    clerks = {u.pk: u.township_id for u in User.objects.filter(role="clerk")}
    reviewers = {u.pk: u.county_id for u in User.objects.filter(role="reviewer")}

    for entry in entries.values():
        history = steps[entry.pk]
        assert all(c.source == ChangeSource.SYSTEM for c in history)
        if entry.submitted_at is None:
            assert history == [], entry
            continue
        submitted = [c for c in history if c.action == ChangeAction.SUBMITTED]
        assert submitted[-1].at == entry.submitted_at
        assert all(clerks[c.actor_id] == entry.township_id for c in submitted)
        decisions = [c for c in history if c.action != ChangeAction.SUBMITTED]
        assert all(reviewers[c.actor_id] == entry.county_id for c in decisions)
        if entry.state == EntryState.APPROVED:
            assert (decisions[-1].action, decisions[-1].at) == (ChangeAction.APPROVED, entry.reviewed_at)
        if entry.state == EntryState.RETURNED:
            assert decisions[-1].action in (ChangeAction.RETURNED, ChangeAction.REOPENED)
            assert decisions[-1].comment == entry.review_comment != ""
        # The services count one version per save, submission and decision.
        assert entry.version >= len(history) + 1
        assert [c.at for c in history] == sorted(c.at for c in history)


def test_some_entries_were_returned_before_approval_and_some_reopened():
    actions = Counter(Change.objects.values_list("action", flat=True))

    assert actions[ChangeAction.RETURNED] > 300
    assert actions[ChangeAction.REOPENED] > 10


def test_every_entry_ever_approved_keeps_the_values_of_its_approval():
    approved = Entry.objects.filter(Q(state=EntryState.APPROVED) | Q(changes__action=ChangeAction.REOPENED)).distinct()

    assert not approved.filter(approved_snapshot__isnull=True).exists()
    assert not Entry.objects.filter(state=EntryState.DRAFT, approved_snapshot__isnull=False).exists()


@pytest.mark.parametrize("pillar", [*Pillar.values, "township"])
def test_approved_snapshots_are_what_the_snapshot_service_takes(pillar):
    entries = Entry.objects.filter(approved_snapshot__isnull=False)
    entries = entries.filter(village__isnull=True) if pillar == "township" else entries.filter(
        pillar=pillar, village__isnull=False)

    for entry in _sample(entries, 12, f"snapshot-{pillar}"):
        assert entry.approved_snapshot == take_snapshot(entry, sheet_for_entry(entry)), entry


def test_each_demo_year_has_a_recorded_roll_up_run_and_its_state_changes():
    runs = RollupRun.objects.filter(municipality__code="520300", state=RunState.DONE)

    assert set(runs.values_list("year_id", flat=True)) == set(YEARS)
    for year in PUBLISHED:
        settings = MunicipalYear.objects.get(municipality__code="520300", year_id=year)
        assert [(c.from_state, c.to_state) for c in settings.state_changes.order_by("at")] == [
            (YearState.OPEN, YearState.CLOSED), (YearState.CLOSED, YearState.PUBLISHED)]
        assert settings.published_at == settings.state_changes.get(to_state=YearState.PUBLISHED).at


# --- The seeded sheets pass through the services ----------------------------------------------


def _unchanged(entry: Entry) -> SheetInput:
    """The whole sheet as stored, sent back: every profile field and every row by its id, so
    every rule every door enforces checks every seeded value."""
    sheet = sheet_for_entry(entry)
    profile = python_values(sheet.profile_model.objects.get(entry=entry))
    records = {r.prefix: RecordRows(rows=[{"id": pk} for pk in r.model.objects.filter(entry=entry)
                                          .order_by("pk").values_list("pk", flat=True)])
               for r in sheet.records}
    return SheetInput(profile={k: v for k, v in profile.items() if k in sheet.profile_fields}, records=records)


def _clerk(entry: Entry) -> User:
    return User.objects.get(username=f"c{entry.township.code}")


EDITABLE = Entry.objects.filter(year_id=2022, state__in=[EntryState.DRAFT, EntryState.RETURNED])


@pytest.mark.parametrize("pillar", [*Pillar.values, "township"])
def test_seeded_2022_sheets_save_unchanged_through_the_entry_service_without_error_or_new_flag(pillar):
    entries = EDITABLE.filter(village__isnull=True) if pillar == "township" else EDITABLE.filter(
        pillar=pillar, village__isnull=False)
    sample = _sample(entries, 10, f"save-{pillar}")

    assert len(sample) == 10
    for entry in sample:
        before = entry.quality_flags
        saved = entry_save(entry=entry, actor=_clerk(entry), expected_version=entry.version, data=_unchanged(entry))
        assert saved.quality_flags == before, entry
        assert saved.is_complete


# (sheet, field, new value from the stored one): one value a clerk might correct.
EDITS = [
    (Pillar.ORGANIZATIONS, "points_system", lambda v: not v),
    (Pillar.ORGANIZATIONS, "linked_households", lambda v: v - 1),
    (Pillar.ECONOMY, "disclosure_quarters", lambda v: 4 if v != 4 else 3),
    (Pillar.ECONOMY, "assets", lambda v: v + Decimal("1.00")),
    (Pillar.TALENT, "secretary_training_hours", lambda v: v + 8),
    (Pillar.GOVERNANCE, "disputes_resolved", lambda v: max(0, v - 1)),
    (Pillar.SUPPORT, "months_paid_on_time", lambda v: 12 if v != 12 else 11),
]


@pytest.mark.parametrize(("pillar", "field", "change"), EDITS)
def test_editing_one_value_on_a_seeded_2022_sheet_raises_no_flag_on_untouched_fields(pillar, field, change):
    sample = _sample(EDITABLE.filter(pillar=pillar, village__isnull=False), 15, f"edit-{pillar}-{field}")

    for entry in sample:
        before = entry.quality_flags
        stored = getattr(sheet_for_entry(entry).profile_model.objects.get(entry=entry), field)
        saved = entry_save(entry=entry, actor=_clerk(entry), expected_version=entry.version,
                           data=SheetInput(profile={field: change(stored)}))
        assert saved.quality_flags == before, entry
    # Most of the sample carried no flag before and none after.
    assert sum(not e.quality_flags for e in sample) >= 13
