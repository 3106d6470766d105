"""The one door for every write (issue 9): each service is reachable only through the permission
module, every path that changes pillar data leaves a history row, and the admin changes none of
it."""

from __future__ import annotations

import ast
import datetime
from collections.abc import Callable
from pathlib import Path

import pytest
from django.urls import reverse

from organizations.models import BranchProfile, Meeting
from support import services as support_services
from support.models import CountyIncome
from tests import factories
from tests.entries.conftest import COMPLETE_PROFILE, form_data, load, org_sheet, save
from tests.factories import set_year_state
from wuqiang.accounts import permissions
from wuqiang.entries import services
from wuqiang.entries.models import Change, ChangeSource, Entry, EntryExtension, Pillar
from wuqiang.entries.registry import get_sheet
from wuqiang.entries.validation import SheetInput
from wuqiang.regions import services as year_services
from wuqiang.regions.models import County, MunicipalYear, YearState, YearStateChange
from wuqiang.regions.selectors import year_settings
from wuqiang.scoring import services as scoring_services
from wuqiang.scoring.models import DemonstrationNomination, RollupRun

pytestmark = pytest.mark.django_db

REPO = Path(__file__).resolve().parents[2]


def _settings(world, year) -> MunicipalYear:
    return year_settings(year=year.year, municipality_id=world.municipality.pk)


# Each service, called by the one person entitled to it, with valid input. The test below makes
# the permission module refuse everything and expects every one of them to be refused.
SERVICES: dict[str, Callable] = {
    "entry_save": lambda c: save(
        services.new_entry(unit=c.world.village_a, year=c.year, sheet=get_sheet("economy")), c.clerk_a,
        sheet=get_sheet("economy"), profile={"operating_income": "12.50"}),
    "entry_submit": lambda c: services.entry_submit(entry=c.draft, actor=c.clerk_a),
    "entry_approve": lambda c: services.entry_approve(entry=c.submitted, actor=c.reviewer_x),
    "entry_return": lambda c: services.entry_return(entry=c.submitted, actor=c.reviewer_x, comment="请核对"),
    "entry_reopen": lambda c: services.entry_reopen(entry=c.approved, actor=c.reviewer_x, reason="复核"),
    "entries_approve_submitted": lambda c: services.entries_approve_submitted(
        township=c.world.township_a, year=c.year, pillar=Pillar.ORGANIZATIONS, actor=c.reviewer_x),
    "entry_extend": lambda c: services.entry_extend(entry=c.closed_submitted, actor=c.municipal,
                                                    until=datetime.date.today(), reason="补报"),
    "scheme_update": lambda c: scoring_services.scheme_update(
        scheme=c.scheme, actor=c.municipal, indicators={}, vetoes={},
        thresholds={"exemplary_total": 90, "exemplary_pillar_min": 16, "pass_total": 75, "basic_total": 60}),
    "rollup_request": lambda c: scoring_services.rollup_request(year=_settings(c.world, c.year), actor=c.municipal),
    "nominations_propose": lambda c: scoring_services.nominations_propose(year=_settings(c.world, c.year),
                                                                           actor=c.municipal),
    "nomination_decide": lambda c: scoring_services.nomination_decide(
        nomination=c.nomination, actor=c.municipal, confirm=True),
    "county_income_set": lambda c: support_services.county_income_set(
        county=c.world.county_x, year=c.year, income=15000, actor=c.reviewer_x),
    "year_set_state": lambda c: year_services.year_set_state(year=_settings(c.world, c.year), actor=c.municipal,
                                                             to_state=YearState.CLOSED),
    "year_set_window": lambda c: year_services.year_set_window(
        year=_settings(c.world, c.year), actor=c.municipal, entry_opens=datetime.date(2021, 1, 1),
        entry_closes=datetime.date(2022, 4, 30)),
}


class Case:
    """Entries in every state the services act on, built through the services themselves."""

    def __init__(self, flow, world, year, clerk_a, reviewer_x, municipal):
        self.flow, self.world, self.year = flow, world, year
        self.clerk_a, self.reviewer_x, self.municipal = clerk_a, reviewer_x, municipal
        a1, a2 = world.villages["a"]
        self.draft = flow.draft(a1, clerk_a)
        self.submitted = flow.submitted(a2, clerk_a)
        self.approved = flow.approved(world.village_b, factories.ClerkFactory(township=world.township_b),
                                      reviewer_x)
        # The extension's case: the same submitted entry once the test has closed the year.
        self.closed_submitted = self.submitted
        self.scheme = scoring_services.scheme_for(municipality_id=world.municipality.pk, year=year.year)
        self.nomination = DemonstrationNomination.objects.create(year=year, village=world.village_a)


@pytest.fixture
def case(flow, world, year, clerk_a, reviewer_x, municipal):
    return Case(flow, world, year, clerk_a, reviewer_x, municipal)


def _everything(world) -> dict:
    """What the services could have written, counted."""
    from wuqiang.scoring.models import SchemeIndicator

    return {
        "entries": sorted(Entry.objects.values_list("pk", "state", "version")),
        "profiles": BranchProfile.objects.count(),
        "changes": Change.objects.count(),
        "extensions": EntryExtension.objects.count(),
        "runs": RollupRun.objects.count(),
        "nominations": sorted(DemonstrationNomination.objects.values_list("village_id", "status")),
        "incomes": CountyIncome.objects.count(),
        "years": sorted(MunicipalYear.objects.values_list("pk", "state", "entry_closes")),
        "year_changes": YearStateChange.objects.count(),
        "scheme": sorted(SchemeIndicator.objects.values_list("code", "points")),
    }


@pytest.mark.parametrize("name", SERVICES)
def test_every_service_goes_through_the_permission_module(case, world, year, monkeypatch, name):
    if name == "entry_extend":
        set_year_state(year, YearState.CLOSED)
    before = _everything(world)

    def refuse(refusal):
        raise permissions.NotAllowed("refused by the permission module")

    monkeypatch.setattr(permissions, "require", refuse)
    with pytest.raises(permissions.NotAllowed, match="refused by the permission module"):
        SERVICES[name](case)

    assert _everything(world) == before


@pytest.mark.parametrize("name", SERVICES)
def test_every_service_works_for_the_person_entitled_to_it(case, year, name):
    # The other half of the matrix above: the same calls succeed with the real rules, so it was
    # the permission module, not a broken call, that refused them.
    if name == "entry_extend":
        set_year_state(year, YearState.CLOSED)
    SERVICES[name](case)


def test_the_service_list_covers_every_public_write_service():
    modules = {services: "entries", scoring_services: "scoring", year_services: "regions",
               support_services: "support"}
    writes = {
        name for module in modules for name in dir(module)
        if callable(getattr(module, name)) and getattr(getattr(module, name), "__module__", "") == module.__name__
        and name.split("_")[-1] in {"save", "submit", "approve", "return", "reopen", "submitted", "extend",
                                    "update", "request", "propose", "decide", "set", "state", "window"}
    }
    assert writes == set(SERVICES)


# --- Every path that changes pillar data leaves history ----------------------------------------------


def test_a_web_form_save_leaves_history_naming_the_web(login_en, world, year, clerk_a):
    client = login_en(clerk_a)
    response = client.post(f"/villages/{world.village_a.code}/2021/organizations/",
                           form_data(org_sheet(), None, profile=COMPLETE_PROFILE))

    assert response.status_code == 302
    change = Change.objects.get(entry__village=world.village_a)
    assert (change.action, change.source, change.actor) == ("created", ChangeSource.WEB, clerk_a)
    assert change.changes["households"] == [None, 300]


def test_a_service_call_from_another_door_leaves_history_naming_that_door(flow, world, clerk_a):
    entry = flow.draft(world.village_a, clerk_a)
    version = entry.version

    services.entry_save(entry=entry, actor=clerk_a, expected_version=version,
                        data=SheetInput(profile={"households": 320}), source=ChangeSource.IMPORT,
                        comment="青石村.xlsx")

    change = Change.objects.filter(entry=entry).latest("pk")
    assert (change.source, change.comment, change.changes["households"]) == (
        ChangeSource.IMPORT, "青石村.xlsx", [300, 320])
    assert load(entry).version == version + 1


# --- The admin changes no pillar data -----------------------------------------------------------------


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def test_the_admin_refuses_to_change_a_profile_and_its_records(admin_client, flow, world, clerk_a):
    entry = flow.draft(world.village_a, clerk_a)
    meeting = Meeting.objects.create(entry=entry, date="2021-03-01", kind="committee", attendance=20)
    profile = BranchProfile.objects.get(entry=entry)
    before = (load(entry).version, Change.objects.count())

    for model, pk, data in ((BranchProfile, profile.pk, {"households": 1}),
                            (Meeting, meeting.pk, {"attendance": 1})):
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[pk])
        assert admin_client.post(url, {"entry": entry.pk, **data}).status_code == 403
        assert admin_client.post(reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_delete",
                                         args=[pk]), {"post": "yes"}).status_code == 403
        assert admin_client.get(reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add")
                                ).status_code == 403

    assert BranchProfile.objects.get(entry=entry).households == 300
    assert Meeting.objects.get(pk=meeting.pk).attendance == 20
    assert (load(entry).version, Change.objects.count()) == before


def test_the_admin_refuses_to_move_an_entry_to_another_county_year_or_pillar(admin_client, flow, world, clerk_a):
    entry = flow.submitted(world.village_a, clerk_a)
    url = reverse("admin:entries_entry_change", args=[entry.pk])

    response = admin_client.post(url, {"county": world.county_y.pk, "year": 2021, "pillar": "economy",
                                       "village": world.village_c.pk, "township": world.township_c.pk})

    assert response.status_code == 403
    stored = load(entry)
    assert (stored.county, stored.pillar, stored.village) == (world.county_x, Pillar.ORGANIZATIONS, world.village_a)
    assert admin_client.get(url).status_code == 200  # still there to look at


def test_the_admin_still_edits_the_hierarchy(admin_client, world):
    url = reverse("admin:regions_county_change", args=[world.county_x.pk])
    response = admin_client.post(url, {"code": "520302", "name": "红花岗区（新）",
                                       "municipality": world.municipality.pk})

    assert response.status_code == 302
    assert County.objects.get(pk=world.county_x.pk).name == "红花岗区（新）"


def test_a_year_state_changed_in_the_admin_is_recorded(admin_client, admin_user, world, year):
    settings = _settings(world, year)
    response = admin_client.post(reverse("admin:regions_municipalyear_changelist"),
                                 {"action": "move_to_closed", "_selected_action": [settings.pk]})

    assert response.status_code == 302
    settings.refresh_from_db()
    assert settings.state == YearState.CLOSED
    change = YearStateChange.objects.get(municipal_year=settings)
    assert (change.actor, change.from_state, change.to_state) == (admin_user, YearState.OPEN, YearState.CLOSED)


# --- Nothing else writes pillar data ------------------------------------------------------------------

# Where bulk writes of pillar data are allowed: the entry services, the demo seeder, the synthetic
# benchmark city, and migrations. Everything else calls the services.
ALLOWED_WRITERS = ("wuqiang/entries/services.py", "wuqiang/core/demo/", "/demo.py",
                   "wuqiang/scoring/management/commands/benchmark_rollup.py", "/migrations/")
PILLAR_MODELS = {"Entry", "BranchProfile", "Meeting", "MajorMatter", "WeakCase", "TalentProfile", "Cadre",
                 "SentDown", "Trainee", "EconomyProfile", "GovernanceProfile", "SupportProfile", "TownshipFacilities",
                 "Change", "EntryExtension"}


def _bulk_writes(path: Path) -> list[str]:
    """``Model.objects….update()/bulk_create()/bulk_update()/delete()`` calls on pillar models."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in (
                "update", "bulk_create", "bulk_update", "delete", "update_or_create", "create"):
            root = node.func.value
            while isinstance(root, (ast.Attribute, ast.Call)):
                root = root.func if isinstance(root, ast.Call) else root.value
            if isinstance(root, ast.Name) and root.id in PILLAR_MODELS:
                found.append(f"{path.relative_to(REPO)}:{node.lineno} {root.id}….{node.func.attr}()")
    return found


def test_nothing_outside_the_services_and_the_seeder_writes_pillar_data():
    apps = ["wuqiang", "organizations", "talent", "economy", "governance", "support"]
    offenders = [
        hit for app in apps for path in sorted((REPO / app).rglob("*.py"))
        if not any(allowed in path.as_posix() for allowed in ALLOWED_WRITERS)
        for hit in _bulk_writes(path)
    ]
    assert offenders == []
