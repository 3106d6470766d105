"""Stored counts of village sheets by state, per county and year (``EntryTally``).

The city dashboard says how many sheets are still pending beside its figures. Counting them
live reads every entry of the city — half a million rows for a city of 100,000 villages, about
150 ms on each view. Instead each county's counts are stored and recounted whole (never
incremented, so nothing can drift for long):

* by the entry services, in the transaction that creates a sheet or changes its state, after
  locking the county's row, so two recounts of one county run one after the other and the
  later one sees the earlier one's change;
* by every roll-up, for its counties (which also covers data written by the seeder).

A county's recount reads its own entries of the year through ``entry_review_queue_idx``
(county, year, …): a few thousand rows at most.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.db.models import Count, Sum

from wuqiang.entries.models import Entry, EntryTally
from wuqiang.regions.models import County


def count_by_state(entries) -> dict[str, int]:
    """Village sheets of ``entries`` by state (one grouped count)."""
    rows = (entries.filter(village__isnull=False).order_by().values("state")
            .annotate(n=Count("*")).values_list("state", "n"))
    return {state: n for state, n in rows}


def refresh_tallies(county_ids: Iterable[int], year: int) -> None:
    """Recount the given counties' village sheets of ``year`` and store the counts: four
    statements whatever the number of counties (the roll-up recounts all of its own). Runs in
    the caller's transaction (no savepoint: a failure here fails the caller's write), or in its
    own when called outside one."""
    with transaction.atomic(savepoint=False):
        _recount(sorted(set(county_ids)), year)


def _recount(county_ids: list[int], year: int) -> None:
    # The lock orders concurrent recounts of a county (SQLite serialises writers anyway).
    list(County.objects.select_for_update().filter(pk__in=county_ids).values_list("pk", flat=True))
    rows = (Entry.objects.filter(county_id__in=county_ids, year_id=year, village__isnull=False).order_by()
            .values("county_id", "state").annotate(n=Count("*")).values_list("county_id", "state", "n"))
    tallies = [EntryTally(county_id=county_id, year_id=year, state=state, entries=n) for county_id, state, n in rows]
    EntryTally.objects.filter(county_id__in=county_ids, year_id=year).delete()
    EntryTally.objects.bulk_create(tallies)


def tallied_by_state(*, municipality_id: int, year: int) -> dict[str, int]:
    """A municipality's stored counts by state (a few dozen rows summed)."""
    rows = (EntryTally.objects.filter(county__municipality_id=municipality_id, year_id=year)
            .order_by().values("state").annotate(n=Sum("entries")).values_list("state", "n"))
    return dict(rows)
