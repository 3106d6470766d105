"""Values far from the previous year are saved but flagged, and need an explanation before
the entry can be submitted (SPEC §6)."""

import pytest

from organizations.models import BranchProfile
from tests import factories
from tests.entries.conftest import COMPLETE_PROFILE, form_data, load, org_sheet, save
from wuqiang.accounts import permissions
from wuqiang.entries import services
from wuqiang.entries.models import Entry, EntryState, Pillar


@pytest.fixture
def last_year(world):
    """The village's 2020 branch profile, with 300 households."""
    year = factories.AssessmentYearFactory(year=2020)
    entry = Entry.objects.create(year=year, pillar=Pillar.ORGANIZATIONS, village=world.village_a,
                                 township=world.township_a, county=world.county_x, state=EntryState.APPROVED)
    BranchProfile.objects.create(entry=entry, **{**COMPLETE_PROFILE, "households": 300})
    return entry


def _draft(world, year, clerk, households):
    entry = services.new_entry(unit=world.village_a, year=year, sheet=org_sheet())
    return load(save(entry, clerk, profile={**COMPLETE_PROFILE, "households": households,
                                            "linked_households": 50}))


@pytest.mark.parametrize(("households", "flagged"), [(240, False), (360, False), (239, True), (361, True)])
def test_households_more_than_a_fifth_from_last_year_are_flagged(
    world, year, clerk_a, last_year, households, flagged
):
    entry = _draft(world, year, clerk_a, households)

    expected = {"field": "households", "kind": "previous_year", "previous": "300", "current": str(households)}
    assert entry.quality_flags == ([expected] if flagged else [])
    assert BranchProfile.objects.get(entry=entry).households == households  # saved all the same


def test_a_first_year_flags_nothing(world, year, clerk_a):
    assert _draft(world, year, clerk_a, 5000).quality_flags == []


def test_a_flagged_entry_is_not_submitted_without_an_explanation(world, year, clerk_a, last_year):
    entry = _draft(world, year, clerk_a, 500)

    with pytest.raises(permissions.NotAllowed, match="explain"):
        services.entry_submit(entry=entry, actor=clerk_a)

    assert load(entry).state == EntryState.DRAFT


def test_an_explained_flag_lets_the_entry_through_and_the_reviewer_reads_it(
    world, year, clerk_a, reviewer_x, last_year, login_en
):
    entry = _draft(world, year, clerk_a, 500)
    save(load(entry), clerk_a, flag_explanation="  易地扶贫搬迁安置点并入本村。 ")
    services.entry_submit(entry=load(entry), actor=clerk_a)

    assert load(entry).state == EntryState.SUBMITTED
    page = login_en(reviewer_x).get(f"/villages/{world.village_a.code}/{year.year}/organizations/")
    html = page.content.decode()
    assert 'data-testid="quality-flags"' in html
    assert "易地扶贫搬迁安置点并入本村。" in html
    queue = login_en(reviewer_x).get(f"/counties/{world.county_x.code}/review/?year={year.year}")
    assert 'data-testid="flagged"' in queue.content.decode()


def test_the_clerk_writes_the_explanation_on_the_sheet_page(world, year, clerk_a, last_year, login_en):
    entry = _draft(world, year, clerk_a, 500)
    client = login_en(clerk_a)
    page = client.get(f"/villages/{world.village_a.code}/{year.year}/organizations/").content.decode()
    assert 'name="flag_explanation"' in page

    data = {**form_data(org_sheet(), entry), "flag_explanation": "新并入一个村民组。", "then": "submit"}
    response = client.post(f"/villages/{world.village_a.code}/{year.year}/organizations/", data)

    assert response.status_code == 302
    stored = load(entry)
    assert (stored.flag_explanation, stored.state) == ("新并入一个村民组。", EntryState.SUBMITTED)


def _peer(world, year, number, households):
    village = factories.VillageFactory(township=world.township_a, code=f"{world.township_a.code}{number:03d}")
    entry = Entry.objects.create(year=year, pillar=Pillar.ORGANIZATIONS, village=village,
                                 township=world.township_a, county=world.county_x)
    BranchProfile.objects.create(entry=entry, **{**COMPLETE_PROFILE, "households": households})


@pytest.mark.parametrize(("households", "flagged"), [(100, False), (99, True), (900, False), (901, True)])
def test_a_value_far_from_the_township_median_is_flagged(world, year, clerk_a, households, flagged):
    for number, peer in enumerate([250, 300, 300, 350], start=300):  # median 300
        _peer(world, year, number, peer)

    entry = _draft(world, year, clerk_a, households)

    expected = {"field": "households", "kind": "township", "median": "300", "current": str(households)}
    assert entry.quality_flags == ([expected] if flagged else [])


def test_a_township_with_too_few_other_villages_is_not_compared(world, year, clerk_a):
    for number, peer in enumerate([300, 300, 300], start=300):
        _peer(world, year, number, peer)

    assert _draft(world, year, clerk_a, 5000).quality_flags == []
