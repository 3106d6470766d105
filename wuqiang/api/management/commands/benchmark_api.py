"""Time the API as another system uses it: list every village scorecard of a year page by page
with a municipal token, then read single scorecards.

    manage.py seed_demo && manage.py benchmark_api                 # 2021, pages of 500, user "admin"
    manage.py benchmark_api --page-size 100 --singles 200

Requests go through the whole Django stack (middleware, token authentication, throttling, scope,
serialisation) in this process, as a warm server process would serve them; no network.
"""

from __future__ import annotations

import random
import statistics
import time

from django.core.management.base import BaseCommand, CommandError
from django.core.signals import request_finished
from django.db import close_old_connections, connection, reset_queries
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings

from wuqiang.accounts.models import User
from wuqiang.api.services import token_create, token_revoke
from wuqiang.scoring.models import VillageScorecard


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) >= 2 else values[0]


class Command(BaseCommand):
    help = "Measure listing a year's village scorecards page by page, and single scorecards, through the API."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--year", type=int, default=2021)
        parser.add_argument("--username", default="admin", help="A municipal staff account (seed_demo: admin).")
        parser.add_argument("--page-size", type=int, default=500)
        parser.add_argument("--singles", type=int, default=100, help="How many single scorecards to read.")
        parser.add_argument("--rounds", type=int, default=3, help="How many times to list every page.")

    def handle(self, *args, year: int, username: str, page_size: int, singles: int, rounds: int, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user {username!r}: run seed_demo first.")
        expected = VillageScorecard.objects.visible_to(user).filter(year_id=year).count()
        if not expected:
            raise CommandError(f"No village scorecards of {year} visible to {username}: run seed_demo first.")
        # Keep one connection for the whole run, as a warm server process would.
        request_finished.disconnect(close_old_connections)
        token, raw = token_create(user=user, name="benchmark_api")
        client = Client(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Bearer {raw}", HTTP_ACCEPT_LANGUAGE="en")
        try:
            with override_settings(API_THROTTLE_RATES={"user": "1000000/minute", "anon": "1000/minute"}):
                self._run(client, year, page_size, singles, rounds, expected)
        finally:
            token_revoke(token=token, actor=user)
            request_finished.connect(close_old_connections)

    def _get(self, client: Client, path: str, **params):
        response = client.get(path, params, secure=True)
        if response.status_code != 200:
            raise CommandError(f"{path} answered {response.status_code}: {response.content[:300]!r}")
        return response

    def _run(self, client, year, page_size, singles, rounds, expected) -> None:
        base = "/api/v1/scorecards/villages/"
        self._get(client, base, year=year, page_size=1)  # warm up: the token's first use, caches
        page_times: list[float] = []
        totals: list[float] = []
        requests = 0
        codes: list[str] = []
        queries_per_page = set()
        for round_ in range(rounds):
            started_all = time.perf_counter()
            page, seen = 1, 0
            while True:
                reset_queries()  # DEBUG's query log is bounded: empty it so the count is exact
                started = time.perf_counter()
                with CaptureQueriesContext(connection) as queries:
                    body = self._get(client, base, year=year, page_size=page_size, page=page).json()
                page_times.append((time.perf_counter() - started) * 1000)
                queries_per_page.add(len(queries))
                requests += 1
                seen += len(body["results"])
                if round_ == 0:
                    codes += [row["village"] for row in body["results"]]
                if not body["next"]:
                    break
                page += 1
            totals.append(time.perf_counter() - started_all)
            if seen != expected:
                raise CommandError(f"Listed {seen} scorecards, expected {expected}.")
        self.stdout.write(f"database: {connection.vendor}")
        self.stdout.write(f"village scorecards of {year}: {expected}, pages of {page_size}: {page} requests per "
                          f"listing, {rounds} listings ({requests} requests)")
        self.stdout.write(f"listing all: median {statistics.median(totals):.3f} s, best {min(totals):.3f} s")
        self.stdout.write(f"per page: median {statistics.median(page_times):.1f} ms, p95 {p95(page_times):.1f} ms, "
                          f"queries per page {sorted(queries_per_page)}")
        picks = random.Random(year).choices(codes, k=singles)
        single_times = []
        reset_queries()
        with CaptureQueriesContext(connection) as queries:
            self._get(client, f"{base}{picks[0]}/{year}/")
        single_queries = len(queries)  # read now: the next request empties the query log
        for code in picks:
            started = time.perf_counter()
            self._get(client, f"{base}{code}/{year}/")
            single_times.append((time.perf_counter() - started) * 1000)
        self.stdout.write(f"single scorecard ({singles} requests): median {statistics.median(single_times):.1f} ms, "
                          f"p95 {p95(single_times):.1f} ms, {single_queries} queries")
