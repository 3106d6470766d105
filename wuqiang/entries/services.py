"""Every write to an entry: save values, submit, approve, return, reopen, extend.

The one door for pillar data. Each service takes plain values, checks the permission module
(``wuqiang.accounts.permissions``), validates the input with the pillar's own rules
(``validation.py``), moves the entry with a conditional UPDATE on its version or state — so two
concurrent requests cannot both win, on SQLite as on PostgreSQL — and writes the history rows,
completeness, quality flags and the roll-up trigger in the same transaction. The sheet page, the
Excel upload and the API are adapters that parse their input and call these functions.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Case, CharField, F, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Concat
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _

from wuqiang.accounts import permissions
from wuqiang.accounts.permissions import NotAllowed
from wuqiang.core.validators import SHORT_TEXT, plain_text
from wuqiang.entries.models import (
    EDITABLE_STATES,
    TOWNSHIP_SHEET_MARK,
    VILLAGE_SHEET_MARK,
    Change,
    ChangeAction,
    ChangeSource,
    Entry,
    EntryExtension,
    EntryState,
    entry_sort_code,
)
from wuqiang.entries.quality import quality_flags
from wuqiang.entries.registry import PillarSheet, sheet_for_entry
from wuqiang.entries.snapshots import describe_object, diff_snapshots, take_snapshot
from wuqiang.entries.validation import InvalidSheet, SheetInput, validate_sheet
from wuqiang.regions.models import AssessmentYear, Township, Village

__all__ = ["InvalidSheet", "NotAllowed", "SheetInput", "StaleEntry"]

# The longest extension municipal staff may grant at once.
MAX_EXTENSION_DAYS = 90


class StaleEntry(Exception):
    """Someone saved the entry after this user loaded it; their save must not be overwritten."""

    def __init__(self, entry: Entry) -> None:
        self.entry = entry
        who = entry.updated_by.display_name if entry.updated_by else _("someone")
        when = date_format(localtime(entry.updated_at), "DATETIME_FORMAT") if entry.updated_at else ""
        super().__init__(
            _("%(who)s changed this entry at %(when)s, after you opened it. Your input is kept below: "
              "check their changes, then save again.") % {"who": who, "when": when}
        )


def new_entry(*, unit: Village | Township, year: AssessmentYear, sheet: PillarSheet) -> Entry:
    """An unsaved entry for a unit that has none yet (created by its first save), with its place
    in the review queue (``sort_code``)."""
    if isinstance(unit, Village):
        return Entry(village=unit, township_id=unit.township_id, county_id=unit.county_id,
                     year=year, pillar=sheet.pillar, sort_code=entry_sort_code(unit.township.code, unit.code))
    return Entry(village=None, township=unit, county_id=unit.county_id, year=year, pillar=sheet.pillar,
                 sort_code=entry_sort_code(unit.code, None))


def sort_code_expression() -> Concat:
    """``entry_sort_code`` in SQL, from the entry's township and village as they are stored now."""
    township_code = Subquery(Township.objects.filter(pk=OuterRef("township_id")).values("code")[:1])
    village_code = Subquery(Village.objects.filter(pk=OuterRef("village_id")).values("code")[:1])
    return Concat(township_code, Case(When(village__isnull=True, then=Value(TOWNSHIP_SHEET_MARK)),
                                      default=Concat(Value(VILLAGE_SHEET_MARK), village_code)),
                  output_field=CharField())


def refresh_sort_codes(*, township_ids: Iterable[int] = (), village_ids: Iterable[int] = ()) -> int:
    """Recompute the stored queue order of the entries of these townships (all their sheets) and
    villages, after a unit's code changed (``receivers.py``): one UPDATE, touching only entries
    whose key differs. Returns how many changed."""
    township_ids, village_ids = list(township_ids), list(village_ids)
    if not township_ids and not village_ids:
        return 0
    expression = sort_code_expression()
    return (Entry.objects.filter(Q(township_id__in=township_ids) | Q(village_id__in=village_ids))
            .exclude(sort_code=expression).update(sort_code=expression))


def is_complete(entry: Entry, sheet: PillarSheet) -> bool:
    profile = sheet.profile_model.objects.filter(entry=entry).values(*sheet.required_fields).first()
    if profile is None or any(value is None for value in profile.values()):
        return False
    return all(r.model.objects.filter(entry=entry).exists() for r in sheet.records if r.required)


def _record(entry: Entry, actor, action: str, *, comment: str = "", at=None,
            source: str = ChangeSource.WEB) -> Change:
    return Change.objects.create(entry=entry, actor=actor, action=action, comment=comment, at=at or timezone.now(),
                                 source=source)


@transaction.atomic
def entry_save(
    *,
    entry: Entry,
    actor,
    expected_version: int,
    data: SheetInput,
    source: str = ChangeSource.WEB,
    comment: str = "",
) -> Entry:
    """Write ``data`` to the entry (creating it on its first save), refusing a save based on an
    older version than the stored one. Raises NotAllowed, InvalidSheet (nothing written) or
    StaleEntry. Values far from the previous year are kept but flagged (quality.py);
    ``data.flag_explanation`` is the clerk's note on them. ``source`` and ``comment`` (e.g. the
    uploaded file's name) go into the history rows."""
    permissions.require(permissions.edit_refusal(actor, entry))
    sheet = sheet_for_entry(entry)
    clean = validate_sheet(sheet, entry, data)
    now = timezone.now()
    if entry.pk is None:
        if expected_version != 0:
            raise StaleEntry(entry)
        # Creating the entry is a write like any other: a second clerk who opened the same
        # empty sheet (version 0) must be refused, not overwrite the first.
        entry.version = 1
        entry.updated_at, entry.updated_by = now, actor
        try:
            with transaction.atomic():
                entry.save()
        except IntegrityError:
            # Someone created the same entry a moment earlier.
            raise StaleEntry(_reload(entry)) from None
        _state_changed(entry)
    else:
        claimed = Entry.objects.filter(pk=entry.pk, version=expected_version, state__in=EDITABLE_STATES).update(
            version=F("version") + 1, updated_at=now, updated_by=actor
        )
        if not claimed:
            current = Entry.objects.select_related("updated_by", "year").get(pk=entry.pk)
            permissions.require(permissions.edit_refusal(actor, current))
            raise StaleEntry(current)
        entry.version = expected_version + 1
        entry.updated_at, entry.updated_by = now, actor

    before = take_snapshot(entry, sheet)
    if clean.profile_form is not None:
        profile = clean.profile_form.save(commit=False)
        profile.entry = entry
        profile.save()
        clean.profile_form.save_m2m()
    for row in clean.rows:
        obj = row.form.save(commit=False)
        obj.entry = entry
        obj.save()
    for obj in clean.deletions:
        obj.delete()
    after = take_snapshot(entry, sheet)

    _write_row_changes(entry, actor, now, before, after, sheet, source=source, comment=comment)
    entry.is_complete = is_complete(entry, sheet)
    entry.quality_flags = quality_flags(entry, sheet)
    if clean.flag_explanation is not None:
        entry.flag_explanation = clean.flag_explanation
    Entry.objects.filter(pk=entry.pk).update(
        is_complete=entry.is_complete, quality_flags=entry.quality_flags, flag_explanation=entry.flag_explanation)
    return entry


def _reload(entry: Entry) -> Entry:
    lookup = {"village": entry.village} if entry.village_id else {"township": entry.township, "village": None}
    return Entry.objects.select_related("updated_by").get(year=entry.year, pillar=entry.pillar, **lookup)


def _write_row_changes(entry: Entry, actor, at, before, after, sheet: PillarSheet, *, source: str,
                       comment: str) -> None:
    rows = diff_snapshots(before, after, sheet.profile_model._meta.label_lower)
    Change.objects.bulk_create(
        Change(
            entry=entry, actor=actor, at=at, action=row.action, object_type=row.object_type, source=source,
            comment=comment,
            object_id=row.object_id,
            object_repr=describe_object(
                row.object_type,
                {name: (new if new is not None else old) for name, (old, new) in row.changes.items()},
            )[:200],
            changes=row.changes,
        )
        for row in rows
    )


def _move(entry: Entry, *, from_states: Iterable[str], to_state: str, expected_version: int | None = None,
          **values: Any) -> None:
    """Move the entry between states only if it is still in one of ``from_states`` (and still at
    ``expected_version`` when the caller names the version it decided on)."""
    filters = {} if expected_version is None else {"version": expected_version}
    moved = Entry.objects.filter(pk=entry.pk, state__in=list(from_states), **filters).update(
        state=to_state, version=F("version") + 1, **values
    )
    if not moved:
        current = Entry.objects.select_related("updated_by").get(pk=entry.pk)
        if expected_version is not None and current.version != expected_version:
            raise StaleEntry(current)
        raise _changed_meanwhile()
    entry.refresh_from_db()
    _state_changed(entry)


@transaction.atomic
def entry_submit(*, entry: Entry, actor, expected_version: int | None = None,
                 source: str = ChangeSource.WEB) -> Entry:
    permissions.require(permissions.submit_refusal(actor, entry))
    filters = {} if expected_version is None else {"version": expected_version}
    now = timezone.now()
    # Flags without an explanation stop the submission (permissions); the filter re-checks it in
    # the same statement that moves the state, in case someone saved meanwhile.
    explained = Q(quality_flags=[]) | ~Q(flag_explanation="")
    moved = Entry.objects.filter(explained, pk=entry.pk, state__in=EDITABLE_STATES, is_complete=True,
                                 **filters).update(
        state=EntryState.SUBMITTED, version=F("version") + 1, submitted_at=now, submitted_by=actor
    )
    if not moved:
        raise StaleEntry(Entry.objects.select_related("updated_by").get(pk=entry.pk))
    entry.refresh_from_db()
    _state_changed(entry)
    _record(entry, actor, ChangeAction.SUBMITTED, at=now, source=source)
    return entry


def _state_changed(entry: Entry) -> None:
    """A village sheet was created or changed state: recount its county's stored tallies in
    this transaction (``tallies.py``). Township sheets are not tallied."""
    if entry.village_id is not None:
        from wuqiang.entries.tallies import refresh_tallies

        refresh_tallies([entry.county_id], entry.year_id)


def _changed_meanwhile() -> NotAllowed:
    return NotAllowed(_("The entry changed state meanwhile; reload the page."))


@transaction.atomic
def entry_approve(*, entry: Entry, actor, comment: str = "", source: str = ChangeSource.WEB,
                  expected_version: int | None = None) -> Entry:
    permissions.require(permissions.approve_refusal(actor, entry))
    comment = plain_text(comment, field="comment")
    now = timezone.now()
    snapshot = take_snapshot(entry, sheet_for_entry(entry))
    _move(entry, from_states=[EntryState.SUBMITTED], to_state=EntryState.APPROVED, expected_version=expected_version,
          reviewed_at=now, reviewed_by=actor, review_comment=comment, approved_snapshot=snapshot,
          returned_snapshot=None)
    _record(entry, actor, ChangeAction.APPROVED, comment=comment, at=now, source=source)
    _after_review(entry)
    return entry


@transaction.atomic
def entry_return(*, entry: Entry, actor, comment: str, source: str = ChangeSource.WEB,
                 expected_version: int | None = None) -> Entry:
    permissions.require(permissions.return_refusal(actor, entry))
    comment = plain_text(comment, field="comment", required=True,
                         required_message=_("Say what needs fixing when returning an entry."))
    now = timezone.now()
    snapshot = take_snapshot(entry, sheet_for_entry(entry))
    _move(entry, from_states=[EntryState.SUBMITTED], to_state=EntryState.RETURNED, expected_version=expected_version,
          reviewed_at=now, reviewed_by=actor, review_comment=comment, returned_snapshot=snapshot)
    _record(entry, actor, ChangeAction.RETURNED, comment=comment, at=now, source=source)
    return entry


@transaction.atomic
def entry_reopen(*, entry: Entry, actor, reason: str, source: str = ChangeSource.WEB,
                 expected_version: int | None = None) -> Entry:
    permissions.require(permissions.reopen_refusal(actor, entry))
    reason = plain_text(reason, field="reason", required=True,
                        required_message=_("Give the reason for reopening an approved entry."))
    now = timezone.now()
    _move(entry, from_states=[EntryState.APPROVED], to_state=EntryState.RETURNED, expected_version=expected_version,
          reviewed_at=now, reviewed_by=actor, review_comment=reason)
    _record(entry, actor, ChangeAction.REOPENED, comment=reason, at=now, source=source)
    _after_review(entry)
    return entry


@transaction.atomic
def entries_approve_submitted(*, township: Township, year: AssessmentYear, actor, pillar: str | None = None,
                              unflagged_only: bool = False, entry_ids: Iterable[int] | None = None,
                              source: str = ChangeSource.WEB) -> int:
    """Approve a township's submitted entries at once — of one pillar or all, only the
    unflagged ones, or only ``entry_ids`` (those the reviewer was shown) — and return how many.
    Entries that changed state meanwhile are left alone."""
    from wuqiang.regions.selectors import year_settings

    settings = year_settings(year=year.pk, county_id=township.county_id)
    permissions.require(permissions.bulk_approve_refusal(actor, township, settings))
    entries = Entry.objects.select_related("year").filter(township=township, year=year, state=EntryState.SUBMITTED)
    if pillar is not None:
        entries = entries.filter(pillar=pillar)
    if unflagged_only:
        entries = entries.filter(quality_flags=[])
    if entry_ids is not None:
        entries = entries.filter(pk__in=list(entry_ids))
    entries = list(entries.order_by("village__code", "pillar"))
    for entry in entries:
        entry._year_settings = settings
        entry_approve(entry=entry, actor=actor, source=source)
    return len(entries)


@transaction.atomic
def entry_extend(*, entry: Entry, actor, until: datetime.date, reason: str) -> EntryExtension:
    """Grant an extension (lock exception) of one entry in a closed year, running to the end of
    ``until``: the reviewer may return or reopen it and the clerk change and resubmit it."""
    permissions.require(permissions.extension_refusal(actor, entry))
    reason = plain_text(reason, field="reason", required=True, max_length=SHORT_TEXT, multiline_text=False,
                        required_message=_("Say why the entry gets an extension."))
    today = timezone.localdate()
    if not isinstance(until, datetime.date) or not today <= until <= today + datetime.timedelta(MAX_EXTENSION_DAYS):
        raise ValidationError({"until": _("Choose a deadline from today up to %(days)d days ahead.")
                               % {"days": MAX_EXTENSION_DAYS}})
    end_of_day = timezone.make_aware(datetime.datetime.combine(until, datetime.time.max))
    extension = EntryExtension.objects.create(entry=entry, until=end_of_day, reason=reason, granted_by=actor,
                                              granted_at=timezone.now())
    entry._active_extension = extension
    Change.objects.create(entry=entry, actor=actor, action=ChangeAction.EXTENDED, at=extension.granted_at,
                          object_type=EntryExtension._meta.label_lower, object_id=str(extension.pk),
                          changes={"until": [None, until.isoformat()]}, comment=reason)
    return extension
def _after_review(entry: Entry) -> None:
    """Tell listeners (the scoring app recomputes scores) about a review decision. Sent inside
    the decision's transaction, so a whole township approved at once is one burst that the
    listener can gather; listeners defer their work with ``transaction.on_commit``."""
    from wuqiang.entries.signals import entry_reviewed

    entry_reviewed.send(sender=Entry, entry=entry)
