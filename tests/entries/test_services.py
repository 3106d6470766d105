"""The entry workflow through its services: who may move an entry where, what history each step
writes, and how a save based on an old version is refused (SPEC §6)."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from organizations.models import BranchProfile, Meeting
from tests.entries.conftest import COMPLETE_PROFILE, fingerprint, load, org_sheet, save
from tests.factories import set_year_state
from wuqiang.accounts import permissions
from wuqiang.entries import selectors, services
from wuqiang.entries.models import Change, ChangeAction, Entry, EntryState, Pillar
from wuqiang.entries.registry import get_sheet
from wuqiang.entries.snapshots import take_snapshot
from wuqiang.regions.models import AssessmentYear, YearState

pytestmark = pytest.mark.django_db

MEETING = {"date": datetime.date(2021, 3, 1), "kind": "committee", "topic": "学习党章", "attendance": 30}


def _profile(entry: Entry) -> BranchProfile:
    return BranchProfile.objects.get(entry=entry)


# --- Allowed transitions --------------------------------------------------------------------

def test_the_clerks_first_save_creates_a_draft_with_the_values(flow, world, clerk_a):
    entry = save(flow.new(world.village_a), clerk_a, profile=COMPLETE_PROFILE)

    stored = load(entry)
    assert stored.state == EntryState.DRAFT
    assert (stored.village, stored.township, stored.county) == (world.village_a, world.township_a, world.county_x)
    assert stored.updated_by == clerk_a
    assert stored.is_complete is True
    profile = _profile(stored)
    assert (profile.party_members, profile.grids, profile.secretary_is_director) == (40, 8, True)


def test_a_save_with_required_fields_missing_leaves_the_draft_incomplete(flow, world, clerk_a):
    entry = save(flow.new(world.village_a), clerk_a, profile={**COMPLETE_PROFILE, "households": None})

    assert load(entry).state == EntryState.DRAFT
    assert load(entry).is_complete is False


def test_each_save_bumps_the_version(flow, world, clerk_a):
    entry = flow.draft(world.village_a, clerk_a)
    before = entry.version

    save(entry, clerk_a, profile={"party_members": 41})

    assert load(entry).version == before + 1


def test_the_second_clerk_of_the_township_may_edit_the_entry_too(flow, world, clerk_a, clerk_a2):
    entry = flow.draft(world.village_a, clerk_a)

    save(entry, clerk_a2, profile={"party_members": 44})

    assert _profile(entry).party_members == 44
    assert load(entry).updated_by == clerk_a2


def test_a_sheet_with_a_required_record_list_is_complete_only_once_it_has_a_row(world, year, clerk_a):
    talent = get_sheet("talent")
    entry = save(services.new_entry(unit=world.village_a, year=year, sheet=talent), clerk_a, sheet=talent,
                 profile={"secretary_training_hours": "32"})
    assert load(entry).is_complete is False
    with pytest.raises(permissions.NotAllowed):
        services.entry_submit(entry=load(entry), actor=clerk_a)

    cadre = {"name": "王强", "gender": "male", "birth_year": 1978, "education": "college",
             "post": "secretary_director", "monthly_pay": 4800, "from_reserve_pool": False}
    save(load(entry), clerk_a, sheet=talent, add={"cadre": [cadre]})

    assert load(entry).is_complete is True
    services.entry_submit(entry=load(entry), actor=clerk_a)
    assert load(entry).state == EntryState.SUBMITTED


def test_the_clerk_submits_a_complete_draft(flow, world, clerk_a):
    entry = flow.draft(world.village_a, clerk_a)

    services.entry_submit(entry=entry, actor=clerk_a)

    stored = load(entry)
    assert stored.state == EntryState.SUBMITTED
    assert stored.submitted_by == clerk_a
    assert stored.submitted_at is not None


def test_submitting_an_incomplete_draft_is_refused_and_changes_nothing(flow, world, clerk_a):
    entry = flow.draft(world.village_a, clerk_a, households=None)
    before = fingerprint(entry)

    with pytest.raises(permissions.NotAllowed, match="required field"):
        services.entry_submit(entry=entry, actor=clerk_a)

    assert fingerprint(entry) == before


def test_submitting_with_an_old_version_is_refused_as_stale(flow, world, clerk_a, clerk_a2):
    entry = flow.draft(world.village_a, clerk_a)
    loaded_version = entry.version
    save(entry, clerk_a2, profile={"party_members": 45})
    before = fingerprint(entry)

    with pytest.raises(services.StaleEntry):
        services.entry_submit(entry=load(entry), actor=clerk_a, expected_version=loaded_version)

    assert fingerprint(entry) == before


def test_the_reviewer_approves_a_submitted_entry(flow, world, clerk_a, reviewer_x):
    entry = flow.submitted(world.village_a, clerk_a)

    services.entry_approve(entry=entry, actor=reviewer_x, comment="数据完整")

    stored = load(entry)
    assert stored.state == EntryState.APPROVED
    assert stored.reviewed_by == reviewer_x
    assert stored.review_comment == "数据完整"


def test_the_reviewer_returns_a_submitted_entry_with_a_comment(flow, world, clerk_a, reviewer_x):
    entry = flow.submitted(world.village_a, clerk_a)

    services.entry_return(entry=entry, actor=reviewer_x, comment="  请核对网格数。 ")

    stored = load(entry)
    assert stored.state == EntryState.RETURNED
    assert stored.review_comment == "请核对网格数。"
    assert stored.reviewed_by == reviewer_x


@pytest.mark.parametrize("comment", ["", "   \n"])
def test_returning_without_a_comment_is_refused_and_changes_nothing(flow, world, clerk_a, reviewer_x, comment):
    entry = flow.submitted(world.village_a, clerk_a)
    before = fingerprint(entry)

    with pytest.raises(ValidationError, match="needs fixing"):
        services.entry_return(entry=entry, actor=reviewer_x, comment=comment)

    assert fingerprint(entry) == before


def test_the_reviewer_reopens_an_approved_entry_with_a_reason_and_it_becomes_returned(
        flow, world, clerk_a, reviewer_x):
    entry = flow.approved(world.village_a, clerk_a, reviewer_x)

    services.entry_reopen(entry=entry, actor=reviewer_x, reason="户数有误，需更正")

    stored = load(entry)
    assert stored.state == EntryState.RETURNED
    assert stored.review_comment == "户数有误，需更正"
    assert stored.is_editable_state


def test_reopening_without_a_reason_is_refused_and_changes_nothing(flow, world, clerk_a, reviewer_x):
    entry = flow.approved(world.village_a, clerk_a, reviewer_x)
    before = fingerprint(entry)

    with pytest.raises(ValidationError, match="reason"):
        services.entry_reopen(entry=entry, actor=reviewer_x, reason=" ")

    assert fingerprint(entry) == before


def test_the_clerk_edits_a_returned_entry_and_resubmits_it(flow, world, clerk_a, reviewer_x):
    entry = flow.returned(world.village_a, clerk_a, reviewer_x)

    save(entry, clerk_a, profile={"grids": 9})
    services.entry_submit(entry=load(entry), actor=clerk_a)

    stored = load(entry)
    assert stored.state == EntryState.SUBMITTED
    assert _profile(entry).grids == 9


def test_approving_a_township_approves_its_submitted_entries_of_that_pillar_only(
        flow, world, year, clerk_a, clerk_b, reviewer_x):
    a1, a2 = world.villages["a"]
    submitted_a = [flow.submitted(a1, clerk_a), flow.submitted(a2, clerk_a)]
    other_pillar = Entry.objects.create(year=year, pillar=Pillar.ECONOMY, village=a1, township=world.township_a,
                                        county=world.county_x, state=EntryState.SUBMITTED, is_complete=True)
    other_township = flow.submitted(world.village_b, clerk_b)
    # A draft of the same township and pillar in another year stays as it is.
    year_2022 = AssessmentYear.objects.create(year=2022)
    other_year = Entry.objects.create(year=year_2022, pillar=Pillar.ORGANIZATIONS, village=a1,
                                      township=world.township_a, county=world.county_x,
                                      state=EntryState.SUBMITTED, is_complete=True)

    count = services.entries_approve_submitted(township=world.township_a, year=year, pillar=Pillar.ORGANIZATIONS,
                                               actor=reviewer_x)

    assert count == 2
    assert [load(e).state for e in submitted_a] == [EntryState.APPROVED, EntryState.APPROVED]
    assert all(load(e).reviewed_by == reviewer_x for e in submitted_a)
    assert load(other_pillar).state == EntryState.SUBMITTED
    assert load(other_township).state == EntryState.SUBMITTED
    assert load(other_year).state == EntryState.SUBMITTED
    assert Change.objects.filter(action=ChangeAction.APPROVED).count() == 2


def test_approving_a_township_as_another_countys_reviewer_approves_none_of_it(
        flow, world, year, clerk_a, reviewer_y):
    entries = [flow.submitted(v, clerk_a) for v in world.villages["a"]]
    before = [fingerprint(e) for e in entries]

    with pytest.raises(permissions.NotAllowed):
        services.entries_approve_submitted(township=world.township_a, year=year, pillar=Pillar.ORGANIZATIONS,
                                           actor=reviewer_y)

    assert [fingerprint(e) for e in entries] == before


# --- Forbidden transitions: refused, and nothing in the database changes --------------------

def _act(action: str, entry: Entry, actor) -> None:
    if action == "save":
        save(entry, actor, profile={"party_members": 99, "grids": 12})
    elif action == "submit":
        services.entry_submit(entry=entry, actor=actor)
    elif action == "approve":
        services.entry_approve(entry=entry, actor=actor, comment="ok")
    elif action == "return":
        services.entry_return(entry=entry, actor=actor, comment="请修改")
    elif action == "reopen":
        services.entry_reopen(entry=entry, actor=actor, reason="复核")
    else:  # pragma: no cover
        raise AssertionError(action)


# (entry state, year state, actor, action); the entry belongs to village A1 in county X.
FORBIDDEN = {
    "clerk-approves": (EntryState.SUBMITTED, YearState.OPEN, "clerk_a", "approve"),
    "clerk-returns": (EntryState.SUBMITTED, YearState.OPEN, "clerk_a", "return"),
    "clerk-reopens": (EntryState.APPROVED, YearState.OPEN, "clerk_a", "reopen"),
    "clerk-of-B-edits-As-entry": (EntryState.DRAFT, YearState.OPEN, "clerk_b", "save"),
    "clerk-of-B-submits-As-entry": (EntryState.DRAFT, YearState.OPEN, "clerk_b", "submit"),
    "clerk-of-C-edits-As-entry": (EntryState.RETURNED, YearState.OPEN, "clerk_c", "save"),
    "clerk-edits-a-submitted-entry": (EntryState.SUBMITTED, YearState.OPEN, "clerk_a", "save"),
    "clerk-edits-an-approved-entry": (EntryState.APPROVED, YearState.OPEN, "clerk_a", "save"),
    "clerk-resubmits-a-submitted-entry": (EntryState.SUBMITTED, YearState.OPEN, "clerk_a", "submit"),
    "clerk-submits-an-approved-entry": (EntryState.APPROVED, YearState.OPEN, "clerk_a", "submit"),
    "reviewer-edits": (EntryState.DRAFT, YearState.OPEN, "reviewer_x", "save"),
    "reviewer-submits": (EntryState.DRAFT, YearState.OPEN, "reviewer_x", "submit"),
    "reviewer-approves-a-draft": (EntryState.DRAFT, YearState.OPEN, "reviewer_x", "approve"),
    "reviewer-approves-an-approved-entry": (EntryState.APPROVED, YearState.OPEN, "reviewer_x", "approve"),
    "reviewer-returns-a-returned-entry": (EntryState.RETURNED, YearState.OPEN, "reviewer_x", "return"),
    "reviewer-reopens-a-submitted-entry": (EntryState.SUBMITTED, YearState.OPEN, "reviewer_x", "reopen"),
    "reviewer-of-Y-approves-Xs-entry": (EntryState.SUBMITTED, YearState.OPEN, "reviewer_y", "approve"),
    "reviewer-of-Y-returns-Xs-entry": (EntryState.SUBMITTED, YearState.OPEN, "reviewer_y", "return"),
    "reviewer-of-Y-reopens-Xs-entry": (EntryState.APPROVED, YearState.OPEN, "reviewer_y", "reopen"),
    "municipal-approves": (EntryState.SUBMITTED, YearState.OPEN, "municipal", "approve"),
    "municipal-reopens": (EntryState.APPROVED, YearState.OPEN, "municipal", "reopen"),
    "municipal-edits": (EntryState.DRAFT, YearState.OPEN, "municipal", "save"),
    "admin-approves": (EntryState.SUBMITTED, YearState.OPEN, "admin_user", "approve"),
    "clerk-edits-in-a-closed-year": (EntryState.DRAFT, YearState.CLOSED, "clerk_a", "save"),
    "clerk-edits-a-returned-entry-in-a-closed-year": (EntryState.RETURNED, YearState.CLOSED, "clerk_a", "save"),
    "clerk-submits-in-a-closed-year": (EntryState.DRAFT, YearState.CLOSED, "clerk_a", "submit"),
    "clerk-edits-in-a-published-year": (EntryState.DRAFT, YearState.PUBLISHED, "clerk_a", "save"),
    "reviewer-approves-in-a-published-year": (EntryState.SUBMITTED, YearState.PUBLISHED, "reviewer_x", "approve"),
    "reviewer-returns-in-a-published-year": (EntryState.SUBMITTED, YearState.PUBLISHED, "reviewer_x", "return"),
    "reviewer-reopens-in-a-published-year": (EntryState.APPROVED, YearState.PUBLISHED, "reviewer_x", "reopen"),
}


@pytest.mark.parametrize(("entry_state", "year_state", "actor_name", "action"), FORBIDDEN.values(),
                         ids=FORBIDDEN.keys())
def test_a_forbidden_step_is_refused_and_changes_nothing(
        flow, world, persona, clerk_a, reviewer_x, entry_state, year_state, actor_name, action):
    entry = flow.in_state(entry_state, world.village_a, clerk_a, reviewer_x)
    set_year_state(entry.year_id, year_state)
    entry = load(entry)
    actor = persona(actor_name)
    before = fingerprint(entry)

    with pytest.raises(permissions.NotAllowed):
        _act(action, entry, actor)

    assert fingerprint(entry) == before


def test_approving_in_a_closed_year_is_still_allowed(flow, world, clerk_a, reviewer_x):
    # Closing stops clerks; review goes on until the year is published (SPEC §3).
    entry = flow.submitted(world.village_a, clerk_a)
    set_year_state(entry.year_id, YearState.CLOSED)

    services.entry_approve(entry=load(entry), actor=reviewer_x)

    assert load(entry).state == EntryState.APPROVED


# --- History ----------------------------------------------------------------------------------

def test_the_first_save_records_the_profile_as_created_with_its_new_values(flow, world, clerk_a):
    entry = flow.draft(world.village_a, clerk_a)

    change = Change.objects.get(entry=entry)
    assert change.action == ChangeAction.CREATED
    assert change.object_type == "organizations.branchprofile"
    assert change.actor == clerk_a
    assert change.changes["party_members"] == [None, 40]
    assert change.changes["secretary_is_director"] == [None, True]


def test_a_save_records_old_and_new_values_of_the_changed_profile_fields_only(flow, world, clerk_a):
    entry = flow.draft(world.village_a, clerk_a)

    save(entry, clerk_a, profile={"party_members": 45, "grids": 9, "points_system": True})

    change = Change.objects.filter(entry=entry).order_by("-pk").first()
    assert change.action == ChangeAction.UPDATED
    assert change.object_type == "organizations.branchprofile"
    assert change.actor == clerk_a
    assert change.changes == {"party_members": [40, 45], "grids": [8, 9], "points_system": [False, True]}


def test_a_save_that_changes_nothing_records_nothing(flow, world, clerk_a):
    entry = flow.draft(world.village_a, clerk_a)
    count = Change.objects.filter(entry=entry).count()

    save(entry, clerk_a)

    assert Change.objects.filter(entry=entry).count() == count


def test_a_save_records_added_and_removed_records(flow, world, clerk_a):
    entry = flow.draft(world.village_a, clerk_a)

    save(entry, clerk_a, add={"meeting": [MEETING]})
    meeting = Meeting.objects.get(entry=entry)
    save(load(entry), clerk_a, delete=(meeting.pk,))

    assert not Meeting.objects.filter(entry=entry).exists()
    rows = Change.objects.filter(entry=entry, object_type="organizations.meeting").order_by("pk")
    created, deleted = rows
    assert (created.action, created.object_id) == (ChangeAction.CREATED, str(meeting.pk))
    assert created.changes["date"] == [None, "2021-03-01"]
    assert created.changes["topic"] == [None, "学习党章"]
    assert "学习党章" in created.object_repr
    assert (deleted.action, deleted.object_id) == (ChangeAction.DELETED, str(meeting.pk))
    assert deleted.changes["kind"] == ["committee", None]
    assert deleted.changes["attendance"] == [30, None]


def test_a_save_records_a_changed_record_row(flow, world, clerk_a):
    entry = flow.draft(world.village_a, clerk_a)
    save(entry, clerk_a, add={"meeting": [MEETING]})
    meeting = Meeting.objects.get(entry=entry)

    save(load(entry), clerk_a, edit={meeting.pk: {"attendance": 35}})

    change = Change.objects.filter(entry=entry, object_type="organizations.meeting").order_by("-pk").first()
    assert (change.action, change.object_id) == (ChangeAction.UPDATED, str(meeting.pk))
    assert change.changes == {"attendance": [30, 35]}


def test_workflow_steps_write_their_action_rows_with_comments(flow, world, clerk_a, reviewer_x):
    entry = flow.draft(world.village_a, clerk_a)
    services.entry_submit(entry=entry, actor=clerk_a)
    services.entry_return(entry=load(entry), actor=reviewer_x, comment="请补充会议记录")
    services.entry_submit(entry=load(entry), actor=clerk_a)
    services.entry_approve(entry=load(entry), actor=reviewer_x, comment="通过")
    services.entry_reopen(entry=load(entry), actor=reviewer_x, reason="发现户数有误")

    steps = list(Change.objects.filter(entry=entry, object_type="").order_by("pk")
                 .values_list("action", "actor__username", "comment"))
    assert steps == [
        (ChangeAction.SUBMITTED, "clerk_a", ""),
        (ChangeAction.RETURNED, "reviewer_x", "请补充会议记录"),
        (ChangeAction.SUBMITTED, "clerk_a", ""),
        (ChangeAction.APPROVED, "reviewer_x", "通过"),
        (ChangeAction.REOPENED, "reviewer_x", "发现户数有误"),
    ]


# --- Optimistic concurrency -------------------------------------------------------------------

def test_a_second_save_from_the_same_version_is_refused_naming_the_first_user(flow, world, clerk_a, clerk_a2):
    entry = flow.draft(world.village_a, clerk_a)
    first, second = load(entry), load(entry)  # both open the page at the same version
    version = first.version

    save(first, clerk_a, profile={"party_members": 50}, expected_version=version)
    after_first = fingerprint(entry)

    with pytest.raises(services.StaleEntry) as refused:
        save(second, clerk_a2, profile={"party_members": 60, "grids": 10}, expected_version=version)

    assert clerk_a.get_full_name() in str(refused.value)
    assert fingerprint(entry) == after_first
    profile = _profile(entry)
    assert (profile.party_members, profile.grids) == (50, 8)
    assert load(entry).updated_by == clerk_a


def test_a_second_first_save_of_a_new_entry_is_refused_naming_the_first_user(flow, world, clerk_a, clerk_a2):
    first, second = flow.new(world.village_a), flow.new(world.village_a)

    save(first, clerk_a, profile=COMPLETE_PROFILE, expected_version=0)
    after_first = fingerprint(first)

    with pytest.raises(services.StaleEntry) as refused:
        save(second, clerk_a2, profile={**COMPLETE_PROFILE, "party_members": 60}, expected_version=0)

    assert clerk_a.get_full_name() in str(refused.value)
    assert Entry.objects.filter(village=world.village_a).count() == 1
    assert fingerprint(first) == after_first


# --- Approval snapshot ------------------------------------------------------------------------

def test_approval_stores_the_values_as_approved(flow, world, clerk_a, reviewer_x):
    entry = flow.submitted(world.village_a, clerk_a)
    assert load(entry).approved_snapshot is None

    services.entry_approve(entry=entry, actor=reviewer_x)

    stored = load(entry)
    assert stored.approved_snapshot == take_snapshot(stored, org_sheet())
    assert stored.approved_snapshot["profile"]["party_members"] == 40


def test_changes_since_approval_reports_a_field_changed_after_reopening(flow, world, clerk_a, reviewer_x):
    entry = flow.approved(world.village_a, clerk_a, reviewer_x)
    assert selectors.changes_since_review(entry, org_sheet()).rows == []

    services.entry_reopen(entry=entry, actor=reviewer_x, reason="户数有误")
    save(load(entry), clerk_a, profile={"households": 320})
    services.entry_submit(entry=load(entry), actor=clerk_a)

    diff = selectors.changes_since_review(load(entry), org_sheet())
    rows = diff.rows
    assert diff.since_return is False
    assert len(rows) == 1
    assert rows[0].action == "updated"
    assert [(line.label, line.old, line.new) for line in rows[0].lines] == [("households", "300", "320")]


def test_changes_since_review_is_none_for_a_never_reviewed_entry(flow, world, clerk_a):
    entry = flow.submitted(world.village_a, clerk_a)

    assert selectors.changes_since_review(entry, org_sheet()) is None


def test_changes_since_the_return_are_listed_after_the_fix_and_resubmission(flow, world, clerk_a, reviewer_x):
    entry = flow.returned(world.village_a, clerk_a, reviewer_x)
    save(load(entry), clerk_a, profile={"grids": 9}, add={"meeting": [MEETING]})
    services.entry_submit(entry=load(entry), actor=clerk_a)

    diff = selectors.changes_since_review(load(entry), org_sheet())

    assert diff.since_return is True
    assert sorted((row.action, row.title) for row in diff.rows) == [("created", "meeting"),
                                                                    ("updated", "branch profile")]
    services.entry_approve(entry=load(entry), actor=reviewer_x)
    assert load(entry).returned_snapshot is None
