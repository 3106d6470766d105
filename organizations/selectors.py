"""Reads of the organisations pillar for the clerk's work board."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count
from django.db.models.functions import ExtractMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from organizations.choices import REQUIRED_MEETINGS, REQUIRED_THEME_DAY_MONTHS, MeetingKind
from organizations.models import Meeting
from wuqiang.regions.selectors import year_settings

# Below this share of what is due by now a village shows red; below 100 % amber (SPEC §6).
RED_BELOW = 0.75


@dataclass(frozen=True)
class MeetingPace:
    """How a village's 三会一课 and 主题党日 keep pace with the months elapsed."""

    status: str  # "ok" | "amber" | "red"
    # 三会一课 held on time (each kind counted up to what is due) and due by now
    meetings_held: int
    meetings_due: int
    theme_months: int
    months_elapsed: int

    @property
    def summary(self) -> str:
        return _("Meetings and lectures %(held)d of %(due)d due; theme days in %(themes)d of %(months)d months") % {
            "held": self.meetings_held, "due": self.meetings_due,
            "themes": self.theme_months, "months": self.months_elapsed}


def months_elapsed(year: int, today: datetime.date) -> int:
    """Completed months of ``year`` by ``today``: 12 for a past year, 0 for a future one."""
    if year < today.year:
        return 12
    if year > today.year:
        return 0
    return today.month - 1


def meeting_pace(*, township, year, village_ids, settings=None,
                 today: datetime.date | None = None) -> dict[int, MeetingPace]:
    """Village id → pace for the given villages of a township, counting the meetings entered
    so far whatever the entry's review state; a village with none is simply behind. One query
    for the whole township (``settings``: the municipality's settings of the year, if at hand)."""
    months = months_elapsed(year.year, today or timezone.localdate())
    settings = settings or year_settings(year=year.year, county_id=township.county_id)
    if months == 0 or not settings.accepts_clerk_edits:
        # Nothing due yet, or the year's entry is over and nobody can catch up any more.
        return {}
    held: dict[int, dict[str, int]] = defaultdict(dict)
    theme_months: dict[int, int] = defaultdict(int)
    rows = (
        Meeting.objects.filter(entry__township=township, entry__year=year, entry__village__isnull=False)
        .values("entry__village_id", "kind")
        .annotate(n=Count("pk"), months=Count(ExtractMonth("date"), distinct=True))
        .order_by()
    )
    for row in rows:
        village_id = row["entry__village_id"]
        if row["kind"] == MeetingKind.THEME_DAY:
            theme_months[village_id] = row["months"]
        else:
            held[village_id][row["kind"]] = row["n"]
    due = {kind: required * months // 12 for kind, required in REQUIRED_MEETINGS.items()}
    due_total = sum(due.values())
    result = {}
    for village_id in village_ids:
        # Extra meetings of one kind do not make up for another kind (as in scoring item O4).
        on_time = sum(min(held[village_id].get(kind, 0), n) for kind, n in due.items())
        pace = min(on_time / due_total if due_total else 1, theme_months[village_id] / months)
        status = "ok" if pace >= 1 else "amber" if pace >= RED_BELOW else "red"
        result[village_id] = MeetingPace(status, on_time, due_total, theme_months[village_id], months)
    return result


def meeting_progress(entry, meetings: Iterable[Meeting] | None = None) -> list[tuple[str, int, int]]:
    """The entry's meetings per kind against the year's requirement (三会一课 4/12/12/4, and
    theme days as months with one, of 12), shown above the meeting log: counted from
    ``meetings`` (the entry's stored meetings, which the sheet has loaded) or with one query."""
    counts: dict[str, dict[str, int]] = {}
    if meetings is not None:
        months: dict[str, set[int]] = defaultdict(set)
        for meeting in meetings:
            row = counts.setdefault(meeting.kind, {"n": 0})
            row["n"] += 1
            months[meeting.kind].add(meeting.date.month)
        for kind, row in counts.items():
            row["months"] = len(months[kind])
    elif entry.pk is not None:
        counts = {row["kind"]: row for row in Meeting.objects.filter(entry=entry).values("kind").annotate(
            n=Count("pk"), months=Count(ExtractMonth("date"), distinct=True)).order_by()}
    labels = dict(MeetingKind.choices)
    progress = [(labels[kind], counts.get(kind, {}).get("n", 0), required)
                for kind, required in REQUIRED_MEETINGS.items()]
    progress.append((_("%(kind)s (months)") % {"kind": labels[MeetingKind.THEME_DAY]},
                     counts.get(MeetingKind.THEME_DAY, {}).get("months", 0), REQUIRED_THEME_DAY_MONTHS))
    return progress
