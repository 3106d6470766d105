"""Fixtures for the entry workflow tests: sheet form data as the page posts it, a ``flow`` that
drives entries through the services into any state, and a fingerprint of everything an entry
holds so a refused action can be shown to have changed nothing.

The entries live in the personas' world (tests/conftest.py); the organizations sheet is the
one exercised, as it has both a profile and record lists.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.conf import settings
from django.utils import translation

from tests.conftest import World
from wuqiang.accounts.models import User
from wuqiang.entries import services
from wuqiang.entries.models import Change, Entry, EntryState
from wuqiang.entries.registry import PillarSheet, get_sheet
from wuqiang.entries.snapshots import row_values, take_snapshot
from wuqiang.entries.validation import RecordRows, SheetInput
from wuqiang.regions.models import AssessmentYear, Village

ORGANIZATIONS = "organizations"

# A complete, valid branch profile (every required field of the organizations sheet).
COMPLETE_PROFILE: dict[str, Any] = {
    "org_type": "branch",
    "party_members": 40,
    "households": 300,
    "grids": 8,
    "grids_with_party_group": 6,
    "linked_households": 120,
    "secretary_is_director": True,
    "standardisation_passed": True,
    "points_system": False,
    "competition_participated": True,
    "competition_score": "85.5",
}


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    # Messages raised by services are translated when raised; read them in English.
    with translation.override("en"):
        yield


@pytest.fixture
def english_client(client):
    """The test client with the English language cookie, so pages read in English."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def login_en(english_client):
    def _login(user: User):
        english_client.force_login(user)
        return english_client

    return _login


def org_sheet() -> PillarSheet:
    sheet = get_sheet(ORGANIZATIONS)
    assert sheet is not None
    return sheet


def form_value(value: Any) -> Any:
    """A stored value as a browser posts it (yes/no selects post "true"/"false")."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return [str(v) for v in value]
    return str(value)


def form_data(
    sheet: PillarSheet,
    entry: Entry | None,
    *,
    profile: dict[str, Any] | None = None,
    add: dict[str, list[dict[str, Any]]] | None = None,
    edit: dict[int, dict[str, Any]] | None = None,
    delete: tuple[int, ...] = (),
    version: int | None = None,
) -> dict[str, Any]:
    """The POST body of a sheet page: the stored profile with ``profile`` overriding it, every
    stored record row (with ``edit[pk]`` overriding its fields; those in ``delete`` ticked for
    deletion), plus ``add`` new rows per record prefix, and the entry version the page was
    loaded at."""
    stored: dict[str, Any] = {}
    if entry is not None and entry.pk is not None:
        obj = sheet.profile_model.objects.filter(entry=entry).first()
        if obj is not None:
            stored = row_values(obj)
    values = {**stored, **(profile or {})}
    data: dict[str, Any] = {
        f"profile-{name}": form_value(values.get(name)) for name in sheet.profile_form._meta.fields
    }
    add = add or {}
    for record_sheet in sheet.records:
        prefix, fields = record_sheet.prefix, record_sheet.form._meta.fields
        rows = (list(record_sheet.model.objects.filter(entry=entry).order_by("pk"))
                if entry is not None and entry.pk is not None else [])
        for i, row in enumerate(rows):
            stored_row = {**row_values(row), **(edit or {}).get(row.pk, {})}
            data[f"{prefix}-{i}-id"] = str(row.pk)
            for name in fields:
                data[f"{prefix}-{i}-{name}"] = form_value(stored_row.get(name))
            if row.pk in delete:
                data[f"{prefix}-{i}-DELETE"] = "on"
        for j, new_row in enumerate(add.get(prefix, []), start=len(rows)):
            for name, value in new_row.items():
                data[f"{prefix}-{j}-{name}"] = form_value(value)
        data.update({
            f"{prefix}-TOTAL_FORMS": str(len(rows) + len(add.get(prefix, []))),
            f"{prefix}-INITIAL_FORMS": str(len(rows)),
            f"{prefix}-MIN_NUM_FORMS": "0",
            f"{prefix}-MAX_NUM_FORMS": "1000",
        })
    data["version"] = str(entry.version if version is None and entry is not None else (version or 0))
    return data


def sheet_input(
    sheet: PillarSheet,
    entry: Entry | None,
    *,
    profile: dict[str, Any] | None = None,
    add: dict[str, list[dict[str, Any]]] | None = None,
    edit: dict[int, dict[str, Any]] | None = None,
    delete: tuple[int, ...] = (),
    flag_explanation: str | None = None,
) -> SheetInput:
    """What an adapter hands the services: profile changes, new rows per list, changed and
    deleted rows by id (their list found from the stored row)."""
    records: dict[str, dict[str, list]] = {}

    def list_of(pk: int) -> str:
        for record_sheet in sheet.records:
            if record_sheet.model.objects.filter(pk=pk, entry=entry).exists():
                return record_sheet.prefix
        raise AssertionError(f"no stored row {pk}")

    for prefix, rows in (add or {}).items():
        records.setdefault(prefix, {"rows": [], "delete": []})["rows"] += rows
    for pk, changes in (edit or {}).items():
        records.setdefault(list_of(pk), {"rows": [], "delete": []})["rows"].append({"id": pk, **changes})
    for pk in delete:
        records.setdefault(list_of(pk), {"rows": [], "delete": []})["delete"].append(pk)
    return SheetInput(profile=profile or {}, flag_explanation=flag_explanation,
                      records={prefix: RecordRows(**parts) for prefix, parts in records.items()})


def save(entry: Entry, actor: User, *, expected_version: int | None = None, sheet: PillarSheet | None = None,
         **kwargs: Any) -> Entry:
    """Save a sheet (organizations unless ``sheet=`` says otherwise) through the service, as
    every adapter does."""
    sheet = sheet or org_sheet()
    return services.entry_save(
        entry=entry, actor=actor,
        expected_version=entry.version if expected_version is None else expected_version,
        data=sheet_input(sheet, entry, **kwargs),
    )


def load(entry_or_pk: Entry | int) -> Entry:
    """A fresh copy of the entry, as a new request would load it."""
    pk = entry_or_pk if isinstance(entry_or_pk, int) else entry_or_pk.pk
    return Entry.objects.select_related("year", "updated_by", "village", "township").get(pk=pk)


def fingerprint(entry: Entry) -> dict[str, Any]:
    """Everything an entry holds in the database: its row, its values and its history size."""
    fresh = load(entry)
    row = {f.attname: getattr(fresh, f.attname) for f in Entry._meta.concrete_fields}
    return {
        "entry": row,
        "values": take_snapshot(fresh, org_sheet()),
        "changes": Change.objects.filter(entry_id=fresh.pk).count(),
    }


@dataclass
class Flow:
    """Drives organizations entries through the real services into a wanted state."""

    world: World
    year: AssessmentYear

    def new(self, village: Village) -> Entry:
        return services.new_entry(unit=village, year=self.year, sheet=org_sheet())

    def draft(self, village: Village, clerk: User, **profile: Any) -> Entry:
        entry = save(self.new(village), clerk, profile={**COMPLETE_PROFILE, **profile})
        return load(entry)

    def submitted(self, village: Village, clerk: User, **profile: Any) -> Entry:
        entry = self.draft(village, clerk, **profile)
        services.entry_submit(entry=entry, actor=clerk)
        return load(entry)

    def approved(self, village: Village, clerk: User, reviewer: User, **profile: Any) -> Entry:
        entry = self.submitted(village, clerk, **profile)
        services.entry_approve(entry=entry, actor=reviewer)
        return load(entry)

    def returned(self, village: Village, clerk: User, reviewer: User, comment: str = "请核对网格数。") -> Entry:
        entry = self.submitted(village, clerk)
        services.entry_return(entry=entry, actor=reviewer, comment=comment)
        return load(entry)

    def in_state(self, state: str, village: Village, clerk: User, reviewer: User) -> Entry:
        if state == EntryState.DRAFT:
            return self.draft(village, clerk)
        if state == EntryState.SUBMITTED:
            return self.submitted(village, clerk)
        if state == EntryState.APPROVED:
            return self.approved(village, clerk, reviewer)
        return self.returned(village, clerk, reviewer)


@pytest.fixture
def flow(world: World, year: AssessmentYear) -> Flow:
    return Flow(world, year)
