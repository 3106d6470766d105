"""组织功能强: the branch profile and its record lists accept sound data and refuse the rest."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from organizations.choices import REQUIRED_MEETINGS, REQUIRED_MEETINGS_TOTAL, MeetingKind, WeakCaseStatus
from organizations.forms import BranchProfileForm, MajorMatterForm, MeetingForm, WeakCaseForm
from organizations.models import BranchProfile, MajorMatter, Meeting, WeakCase
from tests.pillars.helpers import bind, save, with_changes
from wuqiang.entries.models import Pillar

BRANCH = {
    "org_type": "branch",
    "party_members": "45",
    "households": "420",
    "grids": "8",
    "grids_with_party_group": "6",
    "linked_households": "300",
    "secretary_is_director": "true",
    "standardisation_passed": "true",
    "points_system": "false",
    "competition_participated": "true",
    "competition_score": "88.50",
}


@pytest.fixture
def entry(make_entry):
    return make_entry(Pillar.ORGANIZATIONS)


def refused(entry, data, field, message, instance=None):
    form = bind(BranchProfileForm, entry, data, instance=instance)
    assert not form.is_valid()
    assert form.errors[field] == [message]
    return form


def test_a_complete_branch_profile_saves(entry):
    profile = save(bind(BranchProfileForm, entry, BRANCH), entry)

    profile.refresh_from_db()
    assert profile.pk == entry.pk
    assert profile.households == 420
    assert profile.secretary_is_director is True
    assert profile.points_system is False
    assert profile.competition_score == Decimal("88.50")
    assert entry.organizations_branchprofile == profile


def test_a_draft_may_leave_every_profile_field_unanswered(entry):
    profile = save(bind(BranchProfileForm, entry, {}), entry)

    profile.refresh_from_db()
    assert profile.households is None
    assert profile.secretary_is_director is None


def test_it_rejects_negative_party_members(entry):
    refused(entry, with_changes(BRANCH, party_members="-1"), "party_members", "Cannot be negative.")
    assert not BranchProfile.objects.exists()


def test_it_rejects_negative_households(entry):
    refused(entry, with_changes(BRANCH, households="-5", linked_households=""), "households", "Cannot be negative.")
    assert not BranchProfile.objects.exists()


def test_it_rejects_party_members_beyond_the_sane_range(entry):
    refused(entry, with_changes(BRANCH, party_members="5001"), "party_members", "Cannot be more than 5000.")


def test_it_rejects_grids_with_a_party_group_above_grids(entry):
    refused(entry, with_changes(BRANCH, grids="8", grids_with_party_group="9"), "grids_with_party_group",
            "Grids with a party group cannot exceed grids (8).")
    assert not BranchProfile.objects.exists()


def test_it_rejects_linked_households_above_households(entry):
    refused(entry, with_changes(BRANCH, households="420", linked_households="421"), "linked_households",
            "Linked households cannot exceed households (420).")
    assert not BranchProfile.objects.exists()


def test_it_accepts_every_grid_and_household_covered(entry):
    form = bind(BranchProfileForm, entry, with_changes(BRANCH, grids_with_party_group="8", linked_households="420"))

    assert form.is_valid(), form.errors


def test_it_rejects_a_competition_score_above_100(entry):
    refused(entry, with_changes(BRANCH, competition_score="100.01"), "competition_score",
            "Cannot be more than 100.")
    assert not BranchProfile.objects.exists()


def test_it_rejects_a_score_without_taking_part_in_the_competition(entry):
    refused(entry, with_changes(BRANCH, competition_participated="false"), "competition_score",
            "Enter a score only if the secretary took part in the competition.")
    assert not BranchProfile.objects.exists()


def test_an_invalid_edit_leaves_the_stored_profile_unchanged(entry):
    profile = save(bind(BranchProfileForm, entry, BRANCH), entry)

    refused(entry, with_changes(BRANCH, grids_with_party_group="50"), "grids_with_party_group",
            "Grids with a party group cannot exceed grids (8).", instance=profile)

    assert BranchProfile.objects.get(pk=entry.pk).grids_with_party_group == 6


def test_the_required_meetings_add_up_to_32():
    assert REQUIRED_MEETINGS_TOTAL == 32 == sum(REQUIRED_MEETINGS.values())
    assert MeetingKind.THEME_DAY not in REQUIRED_MEETINGS


MEETING = {"date": "2021-03-05", "kind": "party_congress", "topic": "学习全会精神", "attendance": "40"}


def test_a_meeting_saves(entry):
    meeting = save(bind(MeetingForm, entry, MEETING), entry)

    meeting.refresh_from_db()
    assert meeting.date == datetime.date(2021, 3, 5)
    assert meeting.kind == MeetingKind.PARTY_CONGRESS


def test_meeting_progress_counted_from_loaded_meetings_is_the_counting_query(entry):
    """The sheet counts progress from the meetings it loaded; the selector's query agrees."""
    from organizations.selectors import meeting_progress

    for month, kind in [(1, "theme_day"), (1, "theme_day"), (2, "theme_day"), (3, "group"), (3, "group"),
                        (5, "party_congress"), (12, "committee"), (12, "theme_day")]:
        Meeting.objects.create(entry=entry, date=datetime.date(2021, month, 7), kind=kind, attendance=5)

    loaded = meeting_progress(entry, list(Meeting.objects.filter(entry=entry)))
    assert loaded == meeting_progress(entry)
    assert [done for _label, done, _required in loaded] == [1, 1, 2, 0, 3]  # 党员大会 支委会 党小组会 党课, months
    assert meeting_progress(entry, []) == [(label, 0, required) for label, _done, required in loaded]


@pytest.mark.parametrize("date", ["2020-12-31", "2022-01-01"])
def test_it_rejects_a_meeting_dated_outside_the_year(entry, date):
    form = bind(MeetingForm, entry, with_changes(MEETING, date=date))

    assert not form.is_valid()
    assert form.errors["date"] == ["The date must fall within 2021."]
    assert not Meeting.objects.exists()


def test_a_meeting_needs_a_date_and_a_kind(entry):
    form = bind(MeetingForm, entry, with_changes(MEETING, date="", kind=""))

    assert not form.is_valid()
    assert set(form.errors) == {"date", "kind"}


def test_it_rejects_negative_attendance(entry):
    form = bind(MeetingForm, entry, with_changes(MEETING, attendance="-3"))

    assert not form.is_valid()
    assert form.errors["attendance"] == ["Cannot be negative."]
    assert not Meeting.objects.exists()


MATTER = {"title": "村集体产业项目选址", "date": "2021-06-01", "four_deliberations": "on", "made_public": "on"}


def test_a_major_matter_saves(entry):
    matter = save(bind(MajorMatterForm, entry, MATTER), entry)

    matter.refresh_from_db()
    assert matter.four_deliberations is True
    assert matter.made_public is True


def test_an_unticked_major_matter_saves_as_not_deliberated(entry):
    data = {"title": "道路硬化", "date": "2021-06-01"}

    matter = save(bind(MajorMatterForm, entry, data), entry)

    assert matter.four_deliberations is False
    assert matter.made_public is False


def test_it_rejects_a_major_matter_dated_outside_the_year(entry):
    form = bind(MajorMatterForm, entry, with_changes(MATTER, date="2022-02-01"))

    assert not form.is_valid()
    assert form.errors["date"] == ["The date must fall within 2021."]
    assert not MajorMatter.objects.exists()


CASE = {"reasons": "班子不团结", "measures": "调整班子", "status": "rectified", "rectified_on": "2021-09-30"}


def test_a_rectified_weak_case_saves(entry):
    case = save(bind(WeakCaseForm, entry, CASE), entry)

    case.refresh_from_db()
    assert case.status == WeakCaseStatus.RECTIFIED
    assert case.rectified_on == datetime.date(2021, 9, 30)


def test_a_case_rectified_after_the_year_is_accepted(entry):
    # Entry continues into the next year; such a case was not rectified by year end (a veto).
    form = bind(WeakCaseForm, entry, with_changes(CASE, rectified_on="2022-02-15"))

    assert form.is_valid(), form.errors


def test_a_listed_weak_case_saves_without_a_date(entry):
    case = save(bind(WeakCaseForm, entry, with_changes(CASE, status="listed", rectified_on="", measures="")), entry)

    assert case.rectified_on is None


def test_it_rejects_a_rectified_case_without_a_date(entry):
    form = bind(WeakCaseForm, entry, with_changes(CASE, rectified_on=""))

    assert not form.is_valid()
    assert form.errors["rectified_on"] == ["Enter the date the rectification was completed."]
    assert not WeakCase.objects.exists()


def test_it_rejects_a_rectification_date_on_a_case_still_rectifying(entry):
    form = bind(WeakCaseForm, entry, with_changes(CASE, status="rectifying"))

    assert not form.is_valid()
    assert form.errors["rectified_on"] == ["Leave the date empty unless the case is rectified."]
    assert not WeakCase.objects.exists()


def test_it_rejects_a_rectification_before_the_year_of_listing(entry):
    form = bind(WeakCaseForm, entry, with_changes(CASE, rectified_on="2020-12-31"))

    assert not form.is_valid()
    assert form.errors["rectified_on"] == [
        "The village was listed in 2021; the rectification date cannot be earlier."
    ]
    assert not WeakCase.objects.exists()


def test_it_rejects_a_rectification_date_in_the_future(entry):
    tomorrow = datetime.date.today() + datetime.timedelta(days=2)

    form = bind(WeakCaseForm, entry, with_changes(CASE, rectified_on=tomorrow.isoformat()))

    assert not form.is_valid()
    assert form.errors["rectified_on"] == ["The rectification date cannot be in the future."]


def test_a_weak_case_needs_its_reasons(entry):
    form = bind(WeakCaseForm, entry, with_changes(CASE, reasons=""))

    assert not form.is_valid()
    assert list(form.errors) == ["reasons"]


def test_record_forms_work_in_an_inline_formset_for_an_entry_not_yet_saved(place):
    from django.forms import inlineformset_factory

    from tests.pillars.conftest import get_year
    from wuqiang.entries.models import Entry

    entry = Entry(pillar=Pillar.ORGANIZATIONS, year=get_year(), village=place.village,
                  township=place.township, county=place.county)
    formset_class = inlineformset_factory(Entry, WeakCase, form=WeakCaseForm, extra=0)
    data = {"weakcase-TOTAL_FORMS": "2", "weakcase-INITIAL_FORMS": "0",
            **{f"weakcase-0-{k}": v for k, v in CASE.items()},
            **{f"weakcase-1-{k}": v for k, v in with_changes(CASE, rectified_on="2020-05-01").items()}}

    formset = formset_class(data, instance=entry, prefix="weakcase", form_kwargs={"entry": entry})

    assert not formset.is_valid()
    assert formset.errors[0] == {}
    assert formset.errors[1]["rectified_on"] == [
        "The village was listed in 2021; the rectification date cannot be earlier."
    ]
    entry.save()
    formset = formset_class({**data, "weakcase-TOTAL_FORMS": "1"}, instance=entry, prefix="weakcase",
                            form_kwargs={"entry": entry})
    assert formset.is_valid(), formset.errors
    formset.save()
    assert WeakCase.objects.get().entry == entry
