"""Who may do what to an entry — the workflow rules, in one place.

Scope (which units a user sees) is decided by wuqiang.accounts.scope; this module decides,
for an entry already inside the user's scope, which actions their role allows in its state.
Views use it to show buttons; services call ``require`` so the rule holds for every caller.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from wuqiang.accounts.models import Role
from wuqiang.entries.models import Entry, EntryState


class NotAllowed(Exception):
    """The action is refused; the message says why, for the user."""


def _is_clerk_of(user, entry: Entry) -> bool:
    return user.role == Role.CLERK and user.township_id == entry.township_id


def _is_reviewer_of(user, entry: Entry) -> bool:
    return user.role == Role.REVIEWER and user.county_id == entry.county_id


def edit_refusal(user, entry: Entry) -> str | None:
    """Why ``user`` may not change the entry's values, or None if they may."""
    if not _is_clerk_of(user, entry):
        return _("Only the township's clerk enters this data.")
    if not entry.year.accepts_clerk_edits:
        return _("The %(year)s assessment is %(state)s: entries can no longer be changed.") % {
            "year": entry.year_id, "state": entry.year.get_state_display()}
    if not entry.is_editable_state:
        return _("This entry is %(state)s; it can be changed only after a reviewer returns or reopens it.") % {
            "state": entry.get_state_display()}
    return None


def submit_refusal(user, entry: Entry) -> str | None:
    refusal = edit_refusal(user, entry)
    if refusal:
        return refusal
    if entry.pk is None or not entry.is_complete:
        return _("Fill in every required field before submitting.")
    if entry.quality_flags and not entry.flag_explanation.strip():
        return _("Some values are far from last year's: explain them before submitting.")
    return None


def review_refusal(user, entry: Entry) -> str | None:
    """Why ``user`` may not approve or return the entry, or None."""
    if not _is_reviewer_of(user, entry):
        return _("Only a reviewer of the county approves or returns entries.")
    if entry.year.is_published:
        return _("The %(year)s assessment is published; its entries are frozen.") % {"year": entry.year_id}
    if entry.state != EntryState.SUBMITTED:
        return _("Only a submitted entry can be approved or returned.")
    return None


def bulk_review_refusal(user, township, year) -> str | None:
    """Why ``user`` may not approve a whole township's submissions at once, or None."""
    if not (user.role == Role.REVIEWER and user.county_id == township.county_id):
        return _("Only a reviewer of the county approves or returns entries.")
    if year.is_published:
        return _("The %(year)s assessment is published; its entries are frozen.") % {"year": year.pk}
    return None


def reopen_refusal(user, entry: Entry) -> str | None:
    if not _is_reviewer_of(user, entry):
        return _("Only a reviewer of the county can reopen an approved entry.")
    if entry.year.is_published:
        return _("The %(year)s assessment is published; its entries are frozen.") % {"year": entry.year_id}
    if entry.state != EntryState.APPROVED:
        return _("Only an approved entry can be reopened.")
    return None


def require(refusal: str | None) -> None:
    if refusal:
        raise NotAllowed(refusal)
