"""The registry of pillar sheets: what each pillar app enters and how the shared views show it.

Each pillar app declares its sheets in ``<app>/pillar.py`` and registers them from its
``AppConfig.ready``; the generic entry views, the work board, the review queue and the history
page read only this registry, so adding a field or a record list never touches shared code.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.utils.functional import Promise

from wuqiang.entries.models import Pillar
from wuqiang.regions.models import Level

if TYPE_CHECKING:
    from django.forms import ModelForm

    from wuqiang.entries.models import PillarProfile, PillarRecord


@dataclass(frozen=True)
class RecordSheet:
    """A list of records entered inline under a profile (meetings, cadres, …)."""

    model: type[PillarRecord]
    form: type[ModelForm]
    title: str | Promise
    # A pillar cannot be submitted until this list has at least one row.
    required: bool = False
    # Optional (entry, its stored records of this list or None) -> [(label, done, required)] shown
    # above the list, e.g. meetings per kind; given None it reads the records itself.
    progress: Callable[[Any, Any], list[tuple[Any, int, int]]] | None = None

    @property
    def prefix(self) -> str:
        return self.model._meta.model_name

    @property
    def object_type(self) -> str:
        return self.model._meta.label_lower

    @property
    def fields(self) -> tuple[str, ...]:
        """The fields a caller may set on a row: those of the row's form."""
        return tuple(self.form._meta.fields)


@dataclass(frozen=True)
class PillarSheet:
    """Everything entered for one pillar at one level: a profile form and record lists."""

    pillar: Pillar
    profile_model: type[PillarProfile]
    profile_form: type[ModelForm]
    records: tuple[RecordSheet, ...] = ()
    # Profile fields that must be filled before the entry can be submitted.
    required_fields: tuple[str, ...] = ()
    level: Level = Level.VILLAGE
    title: str | Promise | None = None
    # Field groups for the form page: (legend, [field names]); fields not listed go last.
    fieldsets: tuple[tuple[str | Promise, tuple[str, ...]], ...] = field(default=())
    # Optional work-board warnings: (township=, year=, settings=, village_ids=) → {village id: object with
    # ``status`` "ok" | "amber" | "red" and a ``summary``}, in a fixed number of queries.
    board_alerts: Callable[..., dict[int, Any]] | None = None
    # Profile fields compared with the village's previous year (wuqiang.entries.quality).
    watched: tuple[Any, ...] = ()
    # Rules spanning the profile and its records (wuqiang.entries.rules), checked on every save.
    rules: tuple[Any, ...] = ()

    @property
    def slug(self) -> str:
        return self.pillar.value if self.level == Level.VILLAGE else f"{self.pillar.value}-township"

    @property
    def label(self) -> str | Promise:
        return self.title or self.pillar.label

    def record_sheet(self, prefix: str) -> RecordSheet | None:
        return next((r for r in self.records if r.prefix == prefix), None)

    @property
    def profile_fields(self) -> tuple[str, ...]:
        """The profile fields a caller may set: those of the sheet's form."""
        return tuple(self.profile_form._meta.fields)

    @property
    def profile_accessor(self) -> str:
        # The reverse one-to-one name from Entry, per PillarProfile's related_name pattern.
        meta = self.profile_model._meta
        return f"{meta.app_label}_{meta.model_name}"


# The most rows one record list holds (a branch of 8–10 party groups logs about 200 meetings a
# year); the request-size settings are derived from it (settings.DATA_UPLOAD_MAX_NUMBER_FIELDS).
MAX_RECORDS_PER_LIST = 1000

_SHEETS: dict[str, PillarSheet] = {}


def register(sheet: PillarSheet) -> PillarSheet:
    _SHEETS[sheet.slug] = sheet
    return sheet


def get_sheet(slug: str) -> PillarSheet | None:
    return _SHEETS.get(slug)


def village_sheets() -> list[PillarSheet]:
    """The five village-level sheets in pillar order."""
    order = list(Pillar.values)
    return sorted((s for s in _SHEETS.values() if s.level == Level.VILLAGE), key=lambda s: order.index(s.pillar))


def township_sheets() -> list[PillarSheet]:
    return [s for s in _SHEETS.values() if s.level == Level.TOWNSHIP]


def sheet_for_entry(entry) -> PillarSheet:
    level = Level.VILLAGE if entry.village_id else Level.TOWNSHIP
    return next(s for s in _SHEETS.values() if s.pillar == entry.pillar and s.level == level)
