"""Time pages as real users see them: queries per request, median and p95 over N requests.

    manage.py benchmark_pages                       # the default set on the seeded city
    manage.py benchmark_pages --requests 200 --page c520302001:/townships/520302001/
"""

from __future__ import annotations

import statistics
import time

from django.core.management.base import BaseCommand, CommandError
from django.core.signals import request_finished
from django.db import close_old_connections, connection, reset_queries
from django.test import Client
from django.test.utils import CaptureQueriesContext

from wuqiang.accounts.models import User

DEFAULT_PAGES = [
    ("admin", "/"),
    ("admin", "/municipalities/520300/"),
    ("r520302", "/counties/520302/"),
    ("c520302001", "/townships/520302001/"),
    ("c520302001", "/villages/520302001200/"),
    ("c520302001", "/townships/520302001/board/"),
    ("r520302", "/counties/520302/review/"),
    ("c520302001", "/villages/520302001200/2021/organizations/"),
    ("admin", "/dashboard/municipalities/520300/?year=2021"),
    ("r520302", "/dashboard/counties/520302/?year=2021"),
    ("c520302001", "/dashboard/townships/520302001/?year=2021"),
    ("c520302001", "/dashboard/villages/520302001200/?year=2021"),
]


class Command(BaseCommand):
    help = "Measure queries and response times of pages (median and p95 over N requests)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--requests", type=int, default=100)
        parser.add_argument("--page", action="append", default=[],
                            help="USERNAME:PATH; repeatable. Default: a set of the main pages.")

    def handle(self, *args, requests: int, page: list[str], **options) -> None:
        pages = [tuple(p.split(":", 1)) for p in page] or DEFAULT_PAGES
        # Keep one connection for the whole run, as a warm server process would.
        request_finished.disconnect(close_old_connections)
        self.stdout.write(f"{'user':<12} {'path':<48} {'status':>6} {'queries':>7} {'median ms':>9} {'p95 ms':>7}")
        for username, path in pages:
            user = User.objects.filter(username=username).first()
            if user is None:
                raise CommandError(f"No user {username!r}: run seed_demo first.")
            client = Client(HTTP_HOST="127.0.0.1")
            client.force_login(user)
            # DEBUG logs every query into a bounded deque: empty it so the count is exact.
            reset_queries()
            with CaptureQueriesContext(connection) as queries:
                response = client.get(path)
            query_count = len(queries)
            timings = []
            for _ in range(requests):
                started = time.perf_counter()
                client.get(path)
                timings.append((time.perf_counter() - started) * 1000)
            p95 = statistics.quantiles(timings, n=20)[-1] if len(timings) >= 2 else timings[0]
            self.stdout.write(
                f"{username:<12} {path:<48} {response.status_code:>6} {query_count:>7} "
                f"{statistics.median(timings):>9.1f} {p95:>7.1f}"
            )
