"""Rules that span more than one field: a record list against its profile, or one sheet against
another sheet of the same village and year.

Field-level rules live on the models (ranges, choices, dates in the year, cross-field checks in
``Model.clean``) and the forms the services build from them. What neither a single row nor a
single form can see is declared here once, in the pillar app's ``pillar.py``, and checked by the
entry services on every save of either side — so a web form, an upload and an API call are held
to the same rule whichever sheet they change.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from django.utils.functional import Promise

if TYPE_CHECKING:
    from django.db.models import Model

    from wuqiang.entries.models import Entry


@dataclass(frozen=True)
class RuleError:
    """A message for one profile field, one field of one record row, or the sheet as a whole."""

    message: str
    field: str | None = None
    # The record list (its prefix) and the row's position in the caller's rows, for row errors.
    prefix: str | None = None
    index: int | None = None


@dataclass
class RowState:
    """One record row as it will stand after the save."""

    values: dict[str, Any]
    # Position in the caller's rows; None for a stored row the caller left alone.
    index: int | None = None


@dataclass
class SheetState:
    """An entry's values as they will stand after the save: what the rules check."""

    entry: Entry
    pillar: str
    profile: dict[str, Any]
    records: dict[str, list[RowState]] = field(default_factory=dict)


class SheetRule(Protocol):
    def check(self, state: SheetState) -> list[RuleError]: ...


def _text(message: str | Promise, **values: Any) -> str:
    return str(message) % values


@dataclass(frozen=True)
class RecordAtMostProfile:
    """Every row's ``field`` is at most the profile's ``profile_field`` (e.g. a meeting's
    attendance at most the branch's party members). A row the caller sent gets the message on
    its field; stored rows the change of the profile value broke get it on the profile field."""

    record: type[Model]
    field: str
    profile_field: str
    row_message: str | Promise  # %(limit)s
    profile_message: str | Promise  # %(count)s, %(largest)s

    @property
    def prefix(self) -> str:
        return self.record._meta.model_name

    def check(self, state: SheetState) -> list[RuleError]:
        limit = state.profile.get(self.profile_field)
        if limit is None:
            return []
        over = [row for row in state.records.get(self.prefix, [])
                if row.values.get(self.field) is not None and row.values[self.field] > limit]
        errors = [RuleError(_text(self.row_message, limit=limit), self.field, self.prefix, row.index)
                  for row in over if row.index is not None]
        stored = [row for row in over if row.index is None]
        if stored:
            errors.append(RuleError(_text(self.profile_message, count=len(stored),
                                          largest=max(row.values[self.field] for row in stored)),
                                    self.profile_field))
        return errors


@dataclass(frozen=True)
class FieldOf:
    """A profile field of one pillar's village sheet."""

    pillar: str
    field: str


@dataclass(frozen=True)
class AtMostAcrossSheets:
    """``part`` (on one sheet) is at most ``whole`` (on another sheet of the same village and
    year), e.g. households visited (governance) ≤ households (organisations). Checked when
    either sheet is saved, each side reading the other's stored value."""

    part: FieldOf
    whole: FieldOf
    part_message: str | Promise  # %(whole)s
    whole_message: str | Promise  # %(part)s

    def check(self, state: SheetState) -> list[RuleError]:
        if state.entry.village_id is None:
            return []
        if state.pillar == self.part.pillar:
            value, other = state.profile.get(self.part.field), _stored(state.entry, self.whole)
            if value is not None and other is not None and value > other:
                return [RuleError(_text(self.part_message, whole=other), self.part.field)]
        elif state.pillar == self.whole.pillar:
            value, other = state.profile.get(self.whole.field), _stored(state.entry, self.part)
            if value is not None and other is not None and other > value:
                return [RuleError(_text(self.whole_message, part=other), self.whole.field)]
        return []


def _stored(entry: Entry, ref: FieldOf) -> Any:
    from wuqiang.entries.registry import get_sheet

    sheet = get_sheet(ref.pillar)
    return (sheet.profile_model.objects
            .filter(entry__village_id=entry.village_id, entry__year_id=entry.year_id, entry__pillar=ref.pillar)
            .values_list(ref.field, flat=True).first())


# Rules spanning two pillars, registered by the pillar apps (see ``across_sheets``).
_ACROSS: list[AtMostAcrossSheets] = []


def across_sheets(rule: AtMostAcrossSheets) -> AtMostAcrossSheets:
    """Register a rule spanning two sheets; the entry services check it whichever is saved."""
    _ACROSS.append(rule)
    return rule


def rules_for(sheet) -> list[SheetRule]:
    """The rules a save of ``sheet`` must satisfy: its own and those spanning it and another."""
    return [*sheet.rules, *(r for r in _ACROSS if sheet.pillar in (r.part.pillar, r.whole.pillar))]
