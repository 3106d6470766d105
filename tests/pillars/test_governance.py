"""治理能力强: councils, tools, visits and disputes."""

from __future__ import annotations

import pytest

from governance.forms import GovernanceProfileForm
from governance.models import GovernanceProfile
from organizations.models import BranchProfile
from tests.pillars.helpers import bind, check, save, with_changes
from wuqiang.entries.models import Pillar
from wuqiang.entries.validation import InvalidSheet

GOVERNANCE = {
    "rules_revised_filed": "true",
    "council_villagers": "true",
    "council_ceremonies": "true",
    "council_morality": "false",
    "tool_points": "true",
    "tool_red_black": "false",
    "tool_stewards": "true",
    "other_tools": "院坝会",
    "households_visited": "400",
    "disputes": "12",
    "disputes_resolved": "11",
    "one_stop_service": "true",
    "model_selection_held": "true",
    "major_incident": "false",
}


@pytest.fixture
def entry(make_entry):
    return make_entry(Pillar.GOVERNANCE)


def branch_households(make_entry, households, **entry_kwargs):
    return BranchProfile.objects.create(entry=make_entry(Pillar.ORGANIZATIONS, **entry_kwargs), households=households)


def test_a_governance_profile_saves(entry):
    profile = save(bind(GovernanceProfileForm, entry, GOVERNANCE), entry)

    profile.refresh_from_db()
    assert profile.households_visited == 400
    assert profile.council_morality is False
    assert profile.other_tools == "院坝会"


def test_it_rejects_resolved_disputes_above_disputes(entry):
    form = bind(GovernanceProfileForm, entry, with_changes(GOVERNANCE, disputes="12", disputes_resolved="13"))

    assert not form.is_valid()
    assert form.errors["disputes_resolved"] == ["Resolved disputes cannot exceed disputes (12)."]
    assert not GovernanceProfile.objects.exists()


@pytest.mark.parametrize("field", ["households_visited", "disputes", "disputes_resolved"])
def test_it_rejects_negative_counts(entry, field):
    form = bind(GovernanceProfileForm, entry, with_changes(GOVERNANCE, **{field: "-1"}))

    assert not form.is_valid()
    assert form.errors[field] == ["Cannot be negative."]
    assert not GovernanceProfile.objects.exists()


def test_it_rejects_more_households_visited_than_the_village_has(entry, make_entry):
    branch_households(make_entry, 380)

    with pytest.raises(InvalidSheet) as refused:
        check(entry, **with_changes(GOVERNANCE, households_visited="381"))

    assert refused.value.errors.profile["households_visited"] == [
        "Households visited cannot exceed the village's 380 households (entered under organisational function)."
    ]
    assert not GovernanceProfile.objects.exists()


def test_lowering_households_below_those_visited_is_refused_on_the_organisations_sheet(entry, make_entry):
    # The rule spans two sheets: it holds whichever of them is saved.
    branch = branch_households(make_entry, 400)
    save(bind(GovernanceProfileForm, entry, GOVERNANCE), entry)

    with pytest.raises(InvalidSheet) as refused:
        check(branch.entry, households=399)

    assert refused.value.errors.profile["households"] == [
        "Households cannot be fewer than the 400 households visited (entered under governance)."]
    check(branch.entry, households=400)


def test_visiting_every_household_is_accepted(entry, make_entry):
    branch_households(make_entry, 400)

    check(entry, **GOVERNANCE)


def test_visits_are_not_capped_before_households_are_entered(entry, make_entry):
    branch_households(make_entry, None)

    check(entry, **with_changes(GOVERNANCE, households_visited="5000"))


def test_visits_are_capped_only_by_the_same_village_and_year(entry, make_entry, make_village):
    branch_households(make_entry, 10, village=make_village(201))
    branch_households(make_entry, 20, year=2020)

    check(entry, **GOVERNANCE)


def test_an_invalid_edit_leaves_the_stored_governance_unchanged(entry):
    profile = save(bind(GovernanceProfileForm, entry, GOVERNANCE), entry)

    form = bind(GovernanceProfileForm, entry, with_changes(GOVERNANCE, disputes_resolved="99"), instance=profile)

    assert not form.is_valid()
    assert GovernanceProfile.objects.get(pk=entry.pk).disputes_resolved == 11
