"""A municipality's year: open → closed → published, with no dead ends (SPEC §3, issue 9).

Closed: clerks cannot edit; reviewers may still approve; returning or reopening needs an
extension of that entry, granted by municipal staff with a deadline, which also lets the clerk
change and resubmit it. Published: everything is frozen, nominations included."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from support import services as support_services
from support.models import CountyIncome
from tests.entries.conftest import fingerprint, load, save
from tests.factories import set_year_state
from wuqiang.accounts.permissions import NotAllowed
from wuqiang.entries import services
from wuqiang.entries.models import Change, ChangeAction, EntryExtension, EntryState
from wuqiang.regions import services as year_services
from wuqiang.regions.models import YearState, YearStateChange
from wuqiang.regions.selectors import year_settings
from wuqiang.scoring import services as scoring_services
from wuqiang.scoring.models import DemonstrationNomination, RollupRun, VillageScorecard

pytestmark = pytest.mark.django_db

def _today() -> datetime.date:
    # Read when a test runs, not at import: a run may cross midnight in Asia/Shanghai.
    return timezone.localdate()


def _extend(entry, municipal, days: int = 7):
    return services.entry_extend(entry=load(entry), actor=municipal, until=_today() + datetime.timedelta(days),
                                 reason="材料补正")


# --- Closed: the matrix -------------------------------------------------------------------------------


def test_in_a_closed_year_the_clerk_cannot_edit_or_submit(flow, world, year, clerk_a):
    draft = flow.draft(world.village_a, clerk_a)
    set_year_state(year, YearState.CLOSED)
    before = fingerprint(draft)

    with pytest.raises(NotAllowed, match="closed"):
        save(load(draft), clerk_a, profile={"households": 310})
    with pytest.raises(NotAllowed, match="closed"):
        services.entry_submit(entry=load(draft), actor=clerk_a)

    assert fingerprint(draft) == before


def test_in_a_closed_year_the_reviewer_still_approves(flow, world, year, clerk_a, reviewer_x):
    entry = flow.submitted(world.village_a, clerk_a)
    set_year_state(year, YearState.CLOSED)

    services.entry_approve(entry=load(entry), actor=reviewer_x)

    assert load(entry).state == EntryState.APPROVED


@pytest.mark.parametrize("step", ["return", "reopen"])
def test_in_a_closed_year_return_and_reopen_are_refused_without_an_extension(
        flow, world, year, clerk_a, reviewer_x, step):
    entry = flow.submitted(world.village_a, clerk_a) if step == "return" else flow.approved(
        world.village_a, clerk_a, reviewer_x)
    set_year_state(year, YearState.CLOSED)
    before = fingerprint(entry)

    with pytest.raises(NotAllowed, match="extension"):
        if step == "return":
            services.entry_return(entry=load(entry), actor=reviewer_x, comment="请补充")
        else:
            services.entry_reopen(entry=load(entry), actor=reviewer_x, reason="复核")

    assert fingerprint(entry) == before


@pytest.mark.parametrize("step", ["return", "reopen"])
def test_with_an_extension_the_reviewer_returns_and_the_clerk_fixes_and_resubmits(
        flow, world, year, clerk_a, reviewer_x, municipal, step):
    entry = flow.submitted(world.village_a, clerk_a) if step == "return" else flow.approved(
        world.village_a, clerk_a, reviewer_x)
    set_year_state(year, YearState.CLOSED)
    _extend(entry, municipal)

    if step == "return":
        services.entry_return(entry=load(entry), actor=reviewer_x, comment="请补充")
    else:
        services.entry_reopen(entry=load(entry), actor=reviewer_x, reason="复核")
    save(load(entry), clerk_a, profile={"households": 310})
    services.entry_submit(entry=load(entry), actor=clerk_a)
    services.entry_approve(entry=load(entry), actor=reviewer_x)

    assert load(entry).state == EntryState.APPROVED


def test_an_extension_is_for_its_entry_only(flow, world, year, clerk_a, reviewer_x, municipal):
    extended, other = (flow.submitted(v, clerk_a) for v in world.villages["a"])
    set_year_state(year, YearState.CLOSED)
    _extend(extended, municipal)

    services.entry_return(entry=load(extended), actor=reviewer_x, comment="请补充")
    with pytest.raises(NotAllowed, match="extension"):
        services.entry_return(entry=load(other), actor=reviewer_x, comment="请补充")


def test_an_extension_expires_at_its_deadline(flow, world, year, clerk_a, reviewer_x, municipal):
    entry = flow.submitted(world.village_a, clerk_a)
    set_year_state(year, YearState.CLOSED)
    extension = _extend(entry, municipal)
    services.entry_return(entry=load(entry), actor=reviewer_x, comment="请补充")
    assert extension.until == timezone.make_aware(
        datetime.datetime.combine(_today() + datetime.timedelta(7), datetime.time.max))

    # The deadline passes.
    EntryExtension.objects.filter(pk=extension.pk).update(until=timezone.now() - datetime.timedelta(seconds=1))

    with pytest.raises(NotAllowed, match="closed"):
        save(load(entry), clerk_a, profile={"households": 310})


def test_an_expired_extension_can_be_followed_by_a_new_one_so_no_entry_is_stuck(
        flow, world, year, clerk_a, reviewer_x, municipal):
    entry = flow.submitted(world.village_a, clerk_a)
    set_year_state(year, YearState.CLOSED)
    first = _extend(entry, municipal)
    services.entry_return(entry=load(entry), actor=reviewer_x, comment="请补充")
    EntryExtension.objects.filter(pk=first.pk).update(until=timezone.now() - datetime.timedelta(seconds=1))

    _extend(entry, municipal, days=3)
    save(load(entry), clerk_a, profile={"households": 310})
    services.entry_submit(entry=load(entry), actor=clerk_a)

    assert load(entry).state == EntryState.SUBMITTED


def test_granting_an_extension_is_recorded_in_the_entrys_history(flow, world, year, clerk_a, municipal):
    entry = flow.submitted(world.village_a, clerk_a)
    set_year_state(year, YearState.CLOSED)

    _extend(entry, municipal)

    change = Change.objects.filter(entry=entry).latest("pk")
    assert (change.action, change.actor, change.comment) == (ChangeAction.EXTENDED, municipal, "材料补正")
    assert change.changes == {"until": [None, (_today() + datetime.timedelta(7)).isoformat()]}


@pytest.mark.parametrize("actor", ["reviewer_x", "clerk_a"])
def test_only_municipal_staff_grant_extensions(flow, world, year, clerk_a, persona, actor):
    entry = flow.submitted(world.village_a, clerk_a)
    set_year_state(year, YearState.CLOSED)

    with pytest.raises(NotAllowed, match="municipal staff"):
        services.entry_extend(entry=load(entry), actor=persona(actor), until=_today(), reason="补报")
    assert not EntryExtension.objects.exists()


def test_an_open_year_needs_no_extension(flow, world, clerk_a, municipal):
    entry = flow.submitted(world.village_a, clerk_a)

    with pytest.raises(NotAllowed, match="still open"):
        services.entry_extend(entry=load(entry), actor=municipal, until=_today(), reason="补报")


@pytest.mark.parametrize("days", [-1, 91, None])
def test_an_extension_needs_a_deadline_from_today_within_ninety_days(flow, world, year, clerk_a, municipal, days):
    until = None if days is None else _today() + datetime.timedelta(days)
    entry = flow.submitted(world.village_a, clerk_a)
    set_year_state(year, YearState.CLOSED)

    with pytest.raises(ValidationError, match="deadline"):
        services.entry_extend(entry=load(entry), actor=municipal, until=until, reason="补报")


def test_the_sheet_page_offers_municipal_staff_the_extension_and_tells_the_reviewer_why(
        login_en, flow, world, year, clerk_a, reviewer_x, municipal):
    entry = flow.submitted(world.village_a, clerk_a)
    set_year_state(year, YearState.CLOSED)
    url = f"/villages/{world.village_a.code}/2021/organizations/"

    reviewer_page = login_en(reviewer_x).get(url).content.decode()
    assert 'data-testid="approve"' in reviewer_page and 'data-testid="return"' not in reviewer_page
    assert 'data-testid="review-refusal"' in reviewer_page

    client = login_en(municipal)
    assert 'data-testid="extend-form"' in client.get(url).content.decode()
    response = client.post(f"/entries/{entry.pk}/extend/", {"until": _today().isoformat(), "comment": "补报材料"})
    assert response.status_code == 302
    assert EntryExtension.objects.filter(entry=entry).exists()
    assert 'data-testid="return"' in login_en(reviewer_x).get(url).content.decode()


# --- Published: everything frozen ---------------------------------------------------------------------


def test_a_published_year_refuses_every_change(flow, world, year, clerk_a, reviewer_x, municipal):
    draft, submitted = flow.draft(world.villages["a"][0], clerk_a), flow.submitted(world.villages["a"][1], clerk_a)
    nomination = DemonstrationNomination.objects.create(year=year, village=world.village_a)
    set_year_state(year, YearState.PUBLISHED)
    settings = year_settings(year=year.year, municipality_id=world.municipality.pk)
    before = (fingerprint(draft), fingerprint(submitted))

    attempts = [
        lambda: save(load(draft), clerk_a, profile={"households": 310}),
        lambda: services.entry_approve(entry=load(submitted), actor=reviewer_x),
        lambda: services.entry_return(entry=load(submitted), actor=reviewer_x, comment="请补充"),
        lambda: services.entry_extend(entry=load(submitted), actor=municipal, until=_today(), reason="补报"),
        lambda: scoring_services.nomination_decide(nomination=nomination, actor=municipal, confirm=True),
        lambda: scoring_services.nominations_propose(year=settings, actor=municipal),
        lambda: support_services.county_income_set(county=world.county_x, year=year, income=15000,
                                                   actor=municipal),
        lambda: scoring_services.rollup_request(year=settings, actor=municipal),
        lambda: year_services.year_set_state(year=settings, actor=municipal, to_state=YearState.CLOSED),
    ]
    for attempt in attempts:
        with pytest.raises(NotAllowed, match="published"):
            attempt()

    assert (fingerprint(draft), fingerprint(submitted)) == before
    nomination.refresh_from_db()
    assert nomination.status == "proposed"
    assert not CountyIncome.objects.exists() and not EntryExtension.objects.exists()


# --- Moving the year ------------------------------------------------------------------------------------


def test_the_year_moves_open_closed_open_closed_published_and_each_move_is_recorded(world, year, municipal):
    settings = year_settings(year=year.year, municipality_id=world.municipality.pk)
    for state in (YearState.CLOSED, YearState.OPEN, YearState.CLOSED, YearState.PUBLISHED):
        settings = year_services.year_set_state(year=settings, actor=municipal, to_state=state, note="按通知")

    assert settings.state == YearState.PUBLISHED and settings.published_at is not None
    moves = list(YearStateChange.objects.filter(municipal_year=settings).order_by("pk")
                 .values_list("from_state", "to_state", "actor"))
    assert moves == [("open", "closed", municipal.pk), ("closed", "open", municipal.pk),
                     ("open", "closed", municipal.pk), ("closed", "published", municipal.pk)]


def test_an_open_year_cannot_be_published_directly(world, year, municipal):
    settings = year_settings(year=year.year, municipality_id=world.municipality.pk)

    with pytest.raises(ValidationError, match="cannot go from"):
        year_services.year_set_state(year=settings, actor=municipal, to_state=YearState.PUBLISHED)
    assert not YearStateChange.objects.exists()


def test_publishing_scores_the_approved_data_of_that_moment_and_records_the_run(
        flow, world, year, clerk_a, reviewer_x, municipal):
    flow.approved(world.village_a, clerk_a, reviewer_x)
    settings = year_settings(year=year.year, municipality_id=world.municipality.pk)
    settings = year_services.year_set_state(year=settings, actor=municipal, to_state=YearState.CLOSED)

    year_services.year_set_state(year=settings, actor=municipal, to_state=YearState.PUBLISHED)

    card = VillageScorecard.objects.get(year=year, village=world.village_a)
    assert card.approved_pillars == 1 and card.organizations > 0
    run = RollupRun.objects.get(municipality=world.municipality, year=year)
    assert (run.state, run.triggered_by) == ("done", municipal)


@pytest.mark.parametrize("actor", ["reviewer_x", "clerk_a"])
def test_only_the_municipalitys_staff_move_its_year(world, year, persona, actor):
    settings = year_settings(year=year.year, municipality_id=world.municipality.pk)

    with pytest.raises(NotAllowed):
        year_services.year_set_state(year=settings, actor=persona(actor), to_state=YearState.CLOSED)


def test_the_years_page_closes_a_year_and_lists_the_move(login_en, world, year, municipal):
    client = login_en(municipal)
    url = f"/municipalities/{world.municipality.code}/years/"

    response = client.post(url, {"year": 2021, "state": "closed", "note": "截止"}, follow=True)

    assert response.status_code == 200
    assert year_settings(year=2021, municipality_id=world.municipality.pk).state == YearState.CLOSED
    assert "截止" in response.content.decode()


def test_the_years_page_changes_the_deadline(login_en, world, year, municipal):
    client = login_en(municipal)

    client.post(f"/municipalities/{world.municipality.code}/years/",
                {"year": 2021, "action": "window", "entry_opens": "2021-01-01", "entry_closes": "2022-04-30"})

    assert year_settings(year=2021, municipality_id=world.municipality.pk).entry_closes == datetime.date(2022, 4, 30)


@pytest.mark.parametrize("actor", ["reviewer_x", "clerk_a", "no_role_user"])
def test_the_years_page_is_not_there_for_anyone_but_municipal_staff(client, world, year, persona, actor):
    client.force_login(persona(actor))
    url = f"/municipalities/{world.municipality.code}/years/"

    assert client.get(url).status_code == 404
    assert client.post(url, {"year": 2021, "state": "closed"}).status_code == 404
    assert year_settings(year=2021, municipality_id=world.municipality.pk).state == YearState.OPEN
