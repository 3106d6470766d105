"""Every write to an entry: save values, submit, approve, return, reopen.

Each service checks the workflow rule (policy.py), moves the entry with a conditional UPDATE
on its version or state — so two concurrent requests cannot both win, on SQLite as on
PostgreSQL — and writes the history rows in the same transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.forms import BaseInlineFormSet, ModelForm
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _

from wuqiang.entries import policy
from wuqiang.entries.models import EDITABLE_STATES, Change, ChangeAction, Entry, EntryState
from wuqiang.entries.quality import quality_flags
from wuqiang.entries.registry import PillarSheet, sheet_for_entry
from wuqiang.entries.snapshots import describe_object, diff_snapshots, take_snapshot
from wuqiang.regions.models import AssessmentYear, Township, Village


class StaleEntry(Exception):
    """Someone saved the entry after this user loaded it; their save must not be overwritten."""

    def __init__(self, entry: Entry) -> None:
        who = entry.updated_by.display_name if entry.updated_by else _("someone")
        when = date_format(localtime(entry.updated_at), "DATETIME_FORMAT") if entry.updated_at else ""
        super().__init__(
            _("%(who)s changed this entry at %(when)s, after you opened it. Your input is kept below: "
              "check their changes, then save again.") % {"who": who, "when": when}
        )


def new_entry(*, unit: Village | Township, year: AssessmentYear, sheet: PillarSheet) -> Entry:
    """An unsaved entry for a unit that has none yet (created by its first save)."""
    if isinstance(unit, Village):
        return Entry(village=unit, township_id=unit.township_id, county_id=unit.county_id,
                     year=year, pillar=sheet.pillar)
    return Entry(village=None, township=unit, county_id=unit.county_id, year=year, pillar=sheet.pillar)


def is_complete(entry: Entry, sheet: PillarSheet) -> bool:
    profile = sheet.profile_model.objects.filter(entry=entry).values(*sheet.required_fields).first()
    if profile is None or any(value is None for value in profile.values()):
        return False
    return all(r.model.objects.filter(entry=entry).exists() for r in sheet.records if r.required)


def _record(entry: Entry, actor, action: str, *, comment: str = "", at=None) -> Change:
    return Change.objects.create(entry=entry, actor=actor, action=action, comment=comment, at=at or timezone.now())


@transaction.atomic
def entry_save(
    *,
    entry: Entry,
    actor,
    expected_version: int,
    profile_form: ModelForm,
    record_formsets: Sequence[BaseInlineFormSet],
    flag_explanation: str | None = None,
) -> Entry:
    """Persist validated forms for an entry, refusing a save based on an older version.
    Values far from the previous year are kept but flagged (quality.py); ``flag_explanation``
    is the clerk's note on them."""
    policy.require(policy.edit_refusal(actor, entry))
    sheet = sheet_for_entry(entry)
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
    else:
        claimed = Entry.objects.filter(pk=entry.pk, version=expected_version, state__in=EDITABLE_STATES).update(
            version=F("version") + 1, updated_at=now, updated_by=actor
        )
        if not claimed:
            current = Entry.objects.select_related("updated_by", "year").get(pk=entry.pk)
            policy.require(policy.edit_refusal(actor, current))
            raise StaleEntry(current)
        entry.version = expected_version + 1
        entry.updated_at, entry.updated_by = now, actor

    before = take_snapshot(entry, sheet)
    profile = profile_form.save(commit=False)
    profile.entry = entry
    profile.save()
    for formset in record_formsets:
        formset.instance = entry
        formset.save()
    after = take_snapshot(entry, sheet)

    _write_row_changes(entry, actor, now, before, after, sheet)
    entry.is_complete = is_complete(entry, sheet)
    entry.quality_flags = quality_flags(entry, sheet)
    if flag_explanation is not None:
        entry.flag_explanation = flag_explanation.strip()
    Entry.objects.filter(pk=entry.pk).update(
        is_complete=entry.is_complete, quality_flags=entry.quality_flags, flag_explanation=entry.flag_explanation)
    return entry


def _reload(entry: Entry) -> Entry:
    lookup = {"village": entry.village} if entry.village_id else {"township": entry.township, "village": None}
    return Entry.objects.select_related("updated_by").get(year=entry.year, pillar=entry.pillar, **lookup)


def _write_row_changes(entry: Entry, actor, at, before, after, sheet: PillarSheet) -> None:
    rows = diff_snapshots(before, after, sheet.profile_model._meta.label_lower)
    Change.objects.bulk_create(
        Change(
            entry=entry, actor=actor, at=at, action=row.action, object_type=row.object_type,
            object_id=row.object_id,
            object_repr=describe_object(
                row.object_type,
                {name: (new if new is not None else old) for name, (old, new) in row.changes.items()},
            )[:200],
            changes=row.changes,
        )
        for row in rows
    )


def _move(entry: Entry, *, from_states: Iterable[str], to_state: str, **values: Any) -> bool:
    """Move the entry between states only if it is still in one of ``from_states``."""
    moved = Entry.objects.filter(pk=entry.pk, state__in=list(from_states)).update(
        state=to_state, version=F("version") + 1, **values
    )
    if moved:
        entry.refresh_from_db()
    return bool(moved)


@transaction.atomic
def entry_submit(*, entry: Entry, actor, expected_version: int | None = None) -> Entry:
    policy.require(policy.submit_refusal(actor, entry))
    filters = {} if expected_version is None else {"version": expected_version}
    now = timezone.now()
    # Flags without an explanation stop the submission (policy); the filter re-checks it in
    # the same statement that moves the state, in case someone saved meanwhile.
    explained = Q(quality_flags=[]) | ~Q(flag_explanation="")
    moved = Entry.objects.filter(explained, pk=entry.pk, state__in=EDITABLE_STATES, is_complete=True,
                                 **filters).update(
        state=EntryState.SUBMITTED, version=F("version") + 1, submitted_at=now, submitted_by=actor
    )
    if not moved:
        raise StaleEntry(Entry.objects.select_related("updated_by").get(pk=entry.pk))
    entry.refresh_from_db()
    _record(entry, actor, ChangeAction.SUBMITTED, at=now)
    return entry


@transaction.atomic
def entry_approve(*, entry: Entry, actor, comment: str = "") -> Entry:
    policy.require(policy.review_refusal(actor, entry))
    now = timezone.now()
    snapshot = take_snapshot(entry, sheet_for_entry(entry))
    if not _move(entry, from_states=[EntryState.SUBMITTED], to_state=EntryState.APPROVED,
                 reviewed_at=now, reviewed_by=actor, review_comment=comment, approved_snapshot=snapshot):
        raise policy.NotAllowed(_("The entry changed state meanwhile; reload the page."))
    _record(entry, actor, ChangeAction.APPROVED, comment=comment, at=now)
    _after_review(entry)
    return entry


@transaction.atomic
def entry_return(*, entry: Entry, actor, comment: str) -> Entry:
    policy.require(policy.review_refusal(actor, entry))
    if not comment.strip():
        raise policy.NotAllowed(_("Say what needs fixing when returning an entry."))
    now = timezone.now()
    if not _move(entry, from_states=[EntryState.SUBMITTED], to_state=EntryState.RETURNED,
                 reviewed_at=now, reviewed_by=actor, review_comment=comment.strip()):
        raise policy.NotAllowed(_("The entry changed state meanwhile; reload the page."))
    _record(entry, actor, ChangeAction.RETURNED, comment=comment.strip(), at=now)
    return entry


@transaction.atomic
def entry_reopen(*, entry: Entry, actor, reason: str) -> Entry:
    policy.require(policy.reopen_refusal(actor, entry))
    if not reason.strip():
        raise policy.NotAllowed(_("Give the reason for reopening an approved entry."))
    now = timezone.now()
    if not _move(entry, from_states=[EntryState.APPROVED], to_state=EntryState.RETURNED,
                 reviewed_at=now, reviewed_by=actor, review_comment=reason.strip()):
        raise policy.NotAllowed(_("The entry changed state meanwhile; reload the page."))
    _record(entry, actor, ChangeAction.REOPENED, comment=reason.strip(), at=now)
    _after_review(entry)
    return entry


@transaction.atomic
def entries_approve_submitted(*, township: Township, year: AssessmentYear, pillar: str, actor) -> int:
    """Approve every submitted entry of one township and pillar at once; returns how many."""
    policy.require(policy.bulk_review_refusal(actor, township, year))
    entries = list(
        Entry.objects.select_related("year").filter(township=township, year=year, pillar=pillar,
                                                    state=EntryState.SUBMITTED)
    )
    for entry in entries:
        entry_approve(entry=entry, actor=actor)
    return len(entries)


def _after_review(entry: Entry) -> None:
    """Tell listeners (the scoring app recomputes scores) about a review decision. Sent inside
    the decision's transaction, so a whole township approved at once is one burst that the
    listener can gather; listeners defer their work with ``transaction.on_commit``."""
    from wuqiang.entries.signals import entry_reviewed

    entry_reviewed.send(sender=Entry, entry=entry)
