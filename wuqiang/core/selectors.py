"""What waits for the signed-in user in the selected year, for the help page (one query for entries,
one for inspection tickets)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q

from wuqiang.accounts.models import Role
from wuqiang.entries.models import Entry, EntryState


@dataclass
class ToDo:
    drafts: int = 0
    returned: int = 0
    submitted: int = 0
    flagged: int = 0
    tickets_to_answer: int = 0
    tickets_to_verify: int = 0
    tickets_overdue: int = 0


def to_do(user: Any, year: Any) -> ToDo:
    """A clerk's drafts and returned entries, or a reviewer's submissions waiting (with how many
    are flagged), in the selected year and the user's scope."""
    if year is None or user.role not in (Role.CLERK, Role.REVIEWER):
        return ToDo()
    counts = Entry.objects.visible_to(user).filter(year=year).aggregate(
        drafts=Count("pk", filter=Q(state=EntryState.DRAFT)),
        returned=Count("pk", filter=Q(state=EntryState.RETURNED)),
        submitted=Count("pk", filter=Q(state=EntryState.SUBMITTED)),
        flagged=Count("pk", filter=Q(state=EntryState.SUBMITTED) & ~Q(quality_flags=[])),
    )
    from wuqiang.tickets.selectors import to_do_counts

    return ToDo(**counts, **to_do_counts(user))
