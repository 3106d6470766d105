"""Time pages as real users see them: queries per request and the slowest one, median and p95 over N requests.

    manage.py benchmark_pages                       # the default set on the seeded city
    manage.py benchmark_pages --requests 200 --page c520302001:/townships/520302001/

By default the pages are requested in this process through Django's test client. With
``--server URL`` they are requested over HTTP from a running server (gunicorn, DEBUG off, as
production runs) with a session of the page's user; several ``--server`` options interleave
their requests round by round, so an A/B comparison sees the same load on the machine:

    manage.py benchmark_pages --server http://127.0.0.1:8101 --server http://127.0.0.1:8102 \\
        --page c520304104:/villages/520304104201/2022/organizations/

``--meetings VILLAGE:YEAR:N`` first adds meetings to that village's organisations sheet through
the entry services (as its township's clerk), copied from its own meetings, until it has N: a
sheet with 500 records for timing.
"""

from __future__ import annotations

import http.client
import os
import statistics
import time
from urllib.parse import urlsplit

from django.conf import settings
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
        parser.add_argument("--server", action="append", default=[], metavar="URL",
                            help="Request the pages from a running server at URL (e.g. gunicorn on "
                                 "http://127.0.0.1:8000) instead of in this process; repeatable, "
                                 "the servers' requests interleaved.")
        parser.add_argument("--warmup", type=int, default=10,
                            help="Untimed requests per page and server first (default 10).")
        parser.add_argument("--meetings", action="append", default=[], metavar="VILLAGE:YEAR:N",
                            help="First grow the village's organisations sheet to N meetings.")

    def handle(self, *args, requests: int, page: list[str], server: list[str], warmup: int,
               meetings: list[str], **options) -> None:
        for spec in meetings:
            self._grow_meetings(spec)
        pages = [tuple(p.split(":", 1)) for p in page] or DEFAULT_PAGES
        # Keep one connection for the whole run, as a warm server process would.
        request_finished.disconnect(close_old_connections)
        self.stdout.write(f"load average {_load()}")
        server_column = f" {'server':<24}" if server else ""
        self.stdout.write(f"{'user':<12} {'path':<48}{server_column} {'status':>6} {'queries':>7} "
                          f"{'slowest query ms':>16} {'median ms':>9} {'p95 ms':>7}")
        for username, path in pages:
            user = User.objects.filter(username=username).first()
            if user is None:
                raise CommandError(f"No user {username!r}: run seed_demo first.")
            client = Client(HTTP_HOST="127.0.0.1")
            client.force_login(user)
            # The queries are counted and timed after the warm-up requests, as a warm server runs them.
            for _ in range(max(warmup, 1)):
                client.get(path)
            # DEBUG logs every query into a bounded deque: empty it so the count is exact.
            reset_queries()
            with CaptureQueriesContext(connection) as queries:
                response = client.get(path)
            query_count = len(queries)
            slowest = max((float(q["time"]) * 1000 for q in queries.captured_queries), default=0.0)
            if server:
                # The session force_login stored is the user's session on the server too.
                cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
                timings = _time_servers(server, path, cookie, requests=requests, warmup=warmup)
                for url, (status, times) in timings.items():
                    self._line(username, path, f" {url:<24}", status, query_count, slowest, times)
            else:
                times = []
                for _ in range(requests):
                    started = time.perf_counter()
                    client.get(path)
                    times.append((time.perf_counter() - started) * 1000)
                self._line(username, path, "", response.status_code, query_count, slowest, times)
        self.stdout.write(f"load average {_load()}")

    def _line(self, username: str, path: str, server: str, status: int, queries: int, slowest: float,
              times: list[float]) -> None:
        p95 = statistics.quantiles(times, n=20)[-1] if len(times) >= 2 else times[0]
        self.stdout.write(f"{username:<12} {path:<48}{server} {status:>6} {queries:>7} {slowest:>16.1f} "
                          f"{statistics.median(times):>9.1f} {p95:>7.1f}")

    def _grow_meetings(self, spec: str) -> None:
        from organizations.models import Meeting
        from wuqiang.accounts.models import Role
        from wuqiang.entries import selectors, services
        from wuqiang.entries.registry import get_sheet
        from wuqiang.entries.validation import RecordRows, SheetInput
        from wuqiang.regions.models import AssessmentYear, Village

        try:
            code, year, count = spec.split(":")
            wanted = int(count)
        except ValueError:
            raise CommandError(f"--meetings takes VILLAGE:YEAR:N, not {spec!r}.") from None
        village = Village.objects.select_related("township").filter(code=code).first()
        assessment_year = AssessmentYear.objects.filter(pk=year).first()
        sheet = get_sheet("organizations")
        entry = village and assessment_year and selectors.entry_for(unit=village, year=assessment_year, sheet=sheet)
        if not entry:
            raise CommandError(f"No organisations sheet of village {code} in {year}.")
        stored = list(Meeting.objects.filter(entry=entry).order_by("pk").values("date", "kind", "topic", "attendance"))
        if len(stored) >= wanted:
            return
        if not stored:
            raise CommandError(f"Village {code} has no meetings in {year} to copy.")
        clerk = User.objects.filter(role=Role.CLERK, township=village.township, is_active=True).first()
        if clerk is None:
            raise CommandError(f"No clerk of township {village.township.code}.")
        rows = []
        for i in range(wanted - len(stored)):
            meeting = stored[i % len(stored)]
            rows.append({**meeting, "topic": f"{meeting['topic']} ({i + 1})"[:200]})
        services.entry_save(entry=entry, actor=clerk, expected_version=entry.version,
                            data=SheetInput(records={"meeting": RecordRows(rows=rows)}))
        self.stdout.write(f"{code} {year}: {len(stored)} → {wanted} meetings (saved as {clerk.username})")


def _time_servers(urls: list[str], path: str, cookie: str, *, requests: int,
                  warmup: int) -> dict[str, tuple[int, list[float]]]:
    """GET ``path`` from each server, round by round, timed from connecting to the last byte."""
    results: dict[str, tuple[int, list[float]]] = {url: (0, []) for url in urls}
    for round_ in range(warmup + requests):
        for url in urls:
            started = time.perf_counter()
            status, body = _get(url, path, cookie)
            elapsed = (time.perf_counter() - started) * 1000
            if status != 200:
                raise CommandError(f"{url}{path} answered {status}: run this command with the server's "
                                   f"settings (DATABASE_URL, REQUIRE_MFA, FORCE_PASSWORD_CHANGE), else the "
                                   f"session it gives is sent to sign in or set up a second factor: {body[:200]!r}")
            if round_ >= warmup:
                results[url][1].append(elapsed)
                results[url] = (status, results[url][1])
    return results


def _get(url: str, path: str, cookie: str) -> tuple[int, bytes]:
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port or 80, timeout=60)
    try:
        conn.request("GET", path, headers={"Cookie": cookie, "Host": parts.netloc})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())
