"""benchmark_pages in this process: each page's line gives its status, its queries counted on a warm
request and the slowest of them (the timings themselves are measured, not asserted)."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db


def test_each_page_prints_its_status_its_warm_query_count_and_its_slowest_query(clerk_a):
    path = clerk_a.township.get_absolute_url()
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(clerk_a)
    client.get(path)
    with CaptureQueriesContext(connection) as warm:
        client.get(path)
    warm_queries = len(warm)  # read now: the command empties the connection's query log
    out = StringIO()

    call_command("benchmark_pages", "--requests", "2", "--warmup", "0", "--page", f"clerk_a:{path}", stdout=out)

    header, line = [row for row in out.getvalue().splitlines() if not row.startswith("load average")]
    user, printed_path, status, queries, slowest, median, p95 = line.split()
    assert (user, printed_path, status) == ("clerk_a", path, "200")
    assert int(queries) == warm_queries
    assert "queries slowest query ms median ms" in " ".join(header.split())
    assert float(slowest) >= 0 and float(median) > 0


def test_an_unknown_user_is_refused_with_a_clear_message(db):
    with pytest.raises(CommandError, match="No user 'nobody'"):
        call_command("benchmark_pages", "--requests", "1", "--page", "nobody:/")
