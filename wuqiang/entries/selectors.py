"""Reads for the entry pages, each a fixed number of queries whatever the number of villages."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, Q, QuerySet
from django.urls import reverse

from wuqiang.entries.models import Change, Entry, EntryState
from wuqiang.entries.registry import PillarSheet, sheet_for_entry, township_sheets, village_sheets
from wuqiang.entries.snapshots import ChangeLine, describe, describe_object, diff_snapshots, take_snapshot
from wuqiang.regions.models import AssessmentYear, County, Township, Village


def entry_for(*, unit: Village | Township, year: AssessmentYear, sheet: PillarSheet) -> Entry | None:
    lookup = {"village": unit} if isinstance(unit, Village) else {"township": unit, "village__isnull": True}
    return (
        Entry.objects.select_related("year", "updated_by", "submitted_by", "reviewed_by")
        .filter(year=year, pillar=sheet.pillar, **lookup)
        .first()
    )


def village_entries(*, village: Village, year: AssessmentYear) -> dict[str, Entry]:
    """The village's entries of the year by pillar, loaded as ``entry_for`` loads one: the sheet
    page's entry and its pillar tabs' states in one query."""
    return {entry.pillar: entry for entry in Entry.objects.select_related(
        "year", "updated_by", "submitted_by", "reviewed_by").filter(year=year, village=village)}


def sheet_url(unit: Village | Township, year: int, sheet: PillarSheet) -> str:
    name = "entries:village-sheet" if isinstance(unit, Village) else "entries:township-sheet"
    return reverse(name, args=[unit.code, year, sheet.slug])


def entry_url(entry: Entry) -> str:
    return sheet_url(entry.unit, entry.year_id, sheet_for_entry(entry))


@dataclass
class PillarTab:
    sheet: PillarSheet
    url: str
    state: str | None


def pillar_tabs(village: Village, year: AssessmentYear, states: dict[str, str] | None = None) -> list[PillarTab]:
    """A tab per village sheet with its entry's state; ``states`` by pillar if the caller has
    them (``village_entries``), else one query."""
    if states is None:
        states = dict(Entry.objects.filter(village=village, year=year).values_list("pillar", "state"))
    return [PillarTab(s, sheet_url(village, year.pk, s), states.get(s.pillar)) for s in village_sheets()]


@dataclass
class ChangedRow:
    title: str
    action: str
    lines: list[ChangeLine]


@dataclass
class ReviewDiff:
    """What a resubmission changed since the reviewer last saw it: since the return, or since
    the last approval for a reopened entry."""

    since_return: bool
    rows: list[ChangedRow]


def changes_since_review(entry: Entry, sheet: PillarSheet) -> ReviewDiff | None:
    """The changes since the last return (or, failing that, the last approval); None if the
    entry was never returned or approved."""
    reference = entry.returned_snapshot if entry.returned_snapshot is not None else entry.approved_snapshot
    if reference is None:
        return None
    current = take_snapshot(entry, sheet)
    rows = diff_snapshots(reference, current, sheet.profile_model._meta.label_lower)
    return ReviewDiff(entry.returned_snapshot is not None, [
        ChangedRow(str(row.model._meta.verbose_name), row.action, describe(row.object_type, row.changes))
        for row in rows
    ])


# --- Work board ----------------------------------------------------------------------------

@dataclass
class BoardCell:
    sheet: PillarSheet
    url: str
    entry: Entry | None
    # The pillar's own warning for this village (e.g. meetings behind pace), if it has one.
    alert: Any = None

    @property
    def state(self) -> str:
        return self.entry.state if self.entry else "missing"


@dataclass
class BoardRow:
    village: Village
    cells: list[BoardCell]
    approved: int = 0

    @property
    def has_returned(self) -> bool:
        return any(c.state == EntryState.RETURNED for c in self.cells)


@dataclass
class WorkBoard:
    sheets: list[PillarSheet]
    rows: list[BoardRow]
    township_cells: list[BoardCell]
    totals: dict[str, int] = field(default_factory=dict)


def work_board(*, township: Township, year: AssessmentYear, user: Any, settings: Any = None) -> WorkBoard:
    """Villages × pillars with each entry's state: three queries for any township size
    (``settings``: the municipality's settings of the year)."""
    sheets = village_sheets()
    villages = list(Village.objects.visible_to(user).filter(township=township).order_by("code"))
    entries = Entry.objects.filter(township=township, year=year).only(
        "pk", "village_id", "pillar", "state", "is_complete", "review_comment", "version", "year_id",
        "township_id", "county_id")
    by_key = {(e.village_id, e.pillar): e for e in entries}
    village_ids = [v.pk for v in villages]
    alerts = {s.pillar: s.board_alerts(township=township, year=year, settings=settings, village_ids=village_ids)
              for s in sheets if s.board_alerts}
    rows = []
    totals: dict[str, int] = {state: 0 for state in [*EntryState.values, "missing"]}
    for village in villages:
        cells = [BoardCell(s, sheet_url(village, year.pk, s), by_key.get((village.pk, s.pillar)),
                           alerts.get(s.pillar, {}).get(village.pk)) for s in sheets]
        for cell in cells:
            totals[cell.state] += 1
        rows.append(BoardRow(village, cells, sum(c.state == EntryState.APPROVED for c in cells)))
    township_cells = [BoardCell(s, sheet_url(township, year.pk, s), by_key.get((None, s.pillar)))
                      for s in township_sheets()]
    return WorkBoard(sheets, rows, township_cells, totals)


# --- Review queue --------------------------------------------------------------------------

REVIEW_PAGE_SIZE = 50


def review_queue(*, county: County, year: AssessmentYear, user: Any) -> QuerySet[Entry]:
    """The county's sheets by township, village (the township's own sheets last) and pillar, in
    the order stored on each entry (``sort_code``): a state's sheets are read from
    ``entry_review_queue_idx`` in order, with no sort."""
    return Entry.objects.visible_to(user).filter(county=county, year=year).order_by("sort_code", "pillar")


def review_queue_page(queue: QuerySet[Entry], number: Any) -> Page:
    """One page of ``queue`` (``review_queue``, filtered): one query that picks the page's entries
    in index order and joins only those 50 rows to their village, township and clerk, so a page
    deep in a county of thousands of sheets costs about what the first page does (with the joins
    outside, the database joins every sheet it skips). The count is a second query."""
    page = Paginator(queue.values_list("pk", flat=True), REVIEW_PAGE_SIZE).get_page(number)
    page.object_list = list(
        Entry.objects.filter(pk__in=page.object_list)
        .select_related("village", "township", "submitted_by", "year")
        .order_by("sort_code", "pillar")
    )
    return page


def townships_waiting(*, county: County, year: AssessmentYear, user: Any) -> list[dict[str, Any]]:
    """Per township of the county with submitted entries, by code: how many, and how many of them
    are flagged, for the "approve all unflagged" buttons. One query over the county's submitted
    entries (``entry_review_queue_idx``), joined to the county's townships only and counted per
    township; the flagged ones are read once from the small ``entry_flagged_idx``."""
    waiting = {"county": county, "year": year, "state": EntryState.SUBMITTED}
    # Uncorrelated, so the database reads the flagged ones once (a handful) and checks each
    # submitted entry against that set.
    flagged = Entry.objects.filter(**waiting).exclude(quality_flags=[]).values("pk")
    # The county's townships only on the other side of the join: a hash of a few dozen rows.
    rows = list(Entry.objects.visible_to(user).filter(**waiting, township__county=county).order_by()
                .values("township_id", "township__code", "township__name")
                .annotate(submitted=Count("*"), flagged=Count("pk", filter=Q(pk__in=flagged))))
    # Sorted here, not by the database: ordering the query by code would sort every entry
    # before counting instead of the few dozen townships after.
    return [{key: row[key] for key in ("township__code", "township__name", "submitted", "flagged")}
            for row in sorted(rows, key=lambda row: row["township__code"])]


@dataclass
class TownshipApproval:
    """What "approve all unflagged" of a township includes and what it holds back for review."""

    included: list[Entry]
    held_back: list[Entry]


def township_approval(*, township: Township, year: AssessmentYear) -> TownshipApproval:
    entries = (Entry.objects.filter(township=township, year=year, state=EntryState.SUBMITTED)
               .select_related("village", "township").order_by("village__code", "pillar"))
    included, held_back = [], []
    for entry in entries:
        (held_back if entry.quality_flags else included).append(entry)
    return TownshipApproval(included, held_back)


# --- History -------------------------------------------------------------------------------

def village_changes(*, village: Village, user: Any) -> QuerySet[Change]:
    return (
        Change.objects.visible_to(user)
        .filter(entry__village=village)
        .select_related("actor", "entry")
        .order_by("-at", "-pk")
    )


@dataclass
class HistoryLine:
    change: Change
    lines: list[ChangeLine]
    # What was changed, named in the reader's language (the stored object_repr is in the writer's).
    title: str = ""


def history_lines(changes) -> list[HistoryLine]:
    return [
        HistoryLine(c, describe(c.object_type, c.changes) if c.object_type else [],
                    describe_object(c.object_type, {name: new if new is not None else old
                                                    for name, (old, new) in c.changes.items()})
                    if c.object_type else "")
        for c in changes
    ]
