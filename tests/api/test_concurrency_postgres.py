"""Two writers at the same moment, on PostgreSQL: both hold the same ETag, exactly one wins and
the other gets 412; nothing is lost or half-written."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from organizations.models import BranchProfile
from tests.api.conftest import entry_url, token_client
from wuqiang.entries.models import Change

pytestmark = pytest.mark.postgres


def test_two_simultaneous_writers_one_wins(transactional_db, flow, world, clerk_a, clerk_a2):
    if connection.vendor != "postgresql":
        pytest.skip("row locks and concurrent transactions need PostgreSQL (DATABASE_URL)")
    entry = flow.draft(world.village_a, clerk_a)
    clients = {9: token_client(clerk_a), 12: token_client(clerk_a2)}
    etag = f'"{entry.version}"'
    changes_before = Change.objects.filter(entry=entry).count()
    start = threading.Barrier(len(clients))
    statuses: dict[int, int] = {}

    def write(grids: int) -> None:
        from django.db import connection as thread_connection

        try:
            start.wait()
            statuses[grids] = clients[grids].patch(entry_url(entry, "data/"), {"profile": {"grids": grids}},
                                                   format="json", HTTP_IF_MATCH=etag).status_code
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=write, args=(grids,)) for grids in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(statuses.values()) == [200, 412]
    winner = next(grids for grids, status in statuses.items() if status == 200)
    assert BranchProfile.objects.get(entry=entry).grids == winner
    entry.refresh_from_db()
    assert entry.version == 2
    assert Change.objects.filter(entry=entry).count() == changes_before + 1
