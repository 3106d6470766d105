"""Shared fixtures: a small world of units and the personas who work in it.

The world: one municipality; county X with townships A and B, county Y with township C;
two villages in each township. The personas (CONVENTIONS rule 8): two clerks of A (one
owns the data, one shares it), a clerk of B and of C (who must not see A), a reviewer of X
and of Y, municipal staff, an admin and a user without a role.

Add a persona by adding a fixture here and its name to ``PERSONAS``; permission matrices
parametrize over that tuple.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from tests import factories
from wuqiang.accounts.models import User
from wuqiang.regions.models import AssessmentYear, County, Municipality, Township, Village

PERSONAS = (
    "clerk_a",
    "clerk_a2",
    "clerk_b",
    "clerk_c",
    "reviewer_x",
    "reviewer_y",
    "municipal",
    "admin_user",
    "no_role_user",
)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "slow: builds the whole demo city; deselect with -m 'not slow'")
    # WhiteNoise looks for STATIC_ROOT, which only exists after collectstatic.
    config.addinivalue_line(
        "filterwarnings", "ignore:No directory at:UserWarning:django.core.handlers.base"
    )
    # pytest-playwright 0.10's own base_url fallback fixture, not ours.
    config.addinivalue_line(
        "filterwarnings",
        "ignore:Session-scoped fixtures defined as instance methods:pytest.PytestRemovedIn10Warning",
    )


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:
    # PBKDF2's million rounds would dominate every test that creates a user. PBKDF2 stays in the
    # list so hashes made outside this fixture (seed_demo in a module-scoped fixture) still verify.
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]


@dataclass
class World:
    municipality: Municipality
    county_x: County
    county_y: County
    township_a: Township
    township_b: Township
    township_c: Township
    villages: dict[str, list[Village]] = field(default_factory=dict)

    @property
    def village_a(self) -> Village:
        return self.villages["a"][0]

    @property
    def village_b(self) -> Village:
        return self.villages["b"][0]

    @property
    def village_c(self) -> Village:
        return self.villages["c"][0]


@pytest.fixture
def world(db) -> World:
    municipality = factories.MunicipalityFactory(code="520300", name="遵义市")
    county_x = factories.CountyFactory(municipality=municipality, code="520302", name="红花岗区")
    county_y = factories.CountyFactory(municipality=municipality, code="520303", name="汇川区")
    township_a = factories.TownshipFactory(county=county_x, code="520302001", name="老城街道")
    township_b = factories.TownshipFactory(county=county_x, code="520302100", name="巷口镇")
    township_c = factories.TownshipFactory(county=county_y, code="520303100", name="高坪镇")
    villages = {
        key: [
            factories.VillageFactory(
                township=township, code=f"{township.code}{200 + i:03d}", name=f"{prefix}{i + 1}村"
            )
            for i in range(2)
        ]
        for key, township, prefix in (
            ("a", township_a, "青石"), ("b", township_b, "龙凤"), ("c", township_c, "桃花")
        )
    }
    return World(municipality, county_x, county_y, township_a, township_b, township_c, villages)


@pytest.fixture
def year(db) -> AssessmentYear:
    return factories.AssessmentYearFactory(year=2021)


@pytest.fixture
def clerk_a(world: World) -> User:
    return factories.ClerkFactory(username="clerk_a", township=world.township_a)


@pytest.fixture
def clerk_a2(world: World) -> User:
    return factories.ClerkFactory(username="clerk_a2", township=world.township_a)


@pytest.fixture
def clerk_b(world: World) -> User:
    return factories.ClerkFactory(username="clerk_b", township=world.township_b)


@pytest.fixture
def clerk_c(world: World) -> User:
    return factories.ClerkFactory(username="clerk_c", township=world.township_c)


@pytest.fixture
def reviewer_x(world: World) -> User:
    return factories.ReviewerFactory(username="reviewer_x", county=world.county_x)


@pytest.fixture
def reviewer_y(world: World) -> User:
    return factories.ReviewerFactory(username="reviewer_y", county=world.county_y)


@pytest.fixture
def municipal(world: World) -> User:
    return factories.MunicipalStaffFactory(username="municipal", municipality=world.municipality)


@pytest.fixture
def admin_user(world: World) -> User:
    """Overrides pytest-django's ``admin_user`` so ``admin_client`` is this admin too."""
    return factories.AdminFactory(username="admin")


@pytest.fixture
def no_role_user(world: World) -> User:
    return factories.UserFactory(username="no_role")


@pytest.fixture
def persona(request: pytest.FixtureRequest) -> Callable[[str], User]:
    """Look a persona up by name, for tests parametrized over ``PERSONAS``."""
    return request.getfixturevalue


@pytest.fixture
def login_as(client) -> Callable[[User], object]:
    """Sign ``client`` in as a user (``force_login``: no password round, no axes) and return it."""

    def _login(user: User):
        client.force_login(user)
        return client

    return _login


# --- A real Celery worker (PostgreSQL leg) ---------------------------------------------------------


def database_url() -> str:
    """The test database as a DATABASE_URL, for a worker started as a separate process."""
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@dataclass
class Worker:
    """A Celery worker process for one test, on a queue of its own (so it neither takes nor
    leaves messages of other runs): send the test's tasks to ``queue``, then ``start()``."""

    queue: str
    log: Path
    options: tuple[str, ...]
    env: dict[str, str]
    process: subprocess.Popen | None = None

    def start(self) -> Worker:
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "wuqiang", "worker", *self.options, "-l", "info",
                 "-Q", self.queue, "--without-gossip", "--without-mingle"],
                cwd=Path(__file__).resolve().parents[1], env=self.env, stdout=out, stderr=subprocess.STDOUT,
            )
        return self

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


@pytest.fixture
def real_worker(transactional_db, tmp_path) -> Iterator[Callable[..., Worker]]:
    """``real_worker(*options, **env)``: a worker on the test database with ``options``
    (default ``--pool=solo``) and extra environment, stopped after the test. Needs PostgreSQL
    and a broker: skips without them."""
    if connection.vendor != "postgresql" or not settings.CELERY_BROKER_URL:
        pytest.skip("needs PostgreSQL and a Celery broker (DATABASE_URL, CELERY_BROKER_URL)")
    workers: list[Worker] = []

    def make(*options: str, **extra_env: str) -> Worker:
        workers.append(Worker(queue=f"test-{uuid.uuid4().hex[:8]}", log=tmp_path / f"worker-{len(workers)}.log",
                              options=options or ("--pool=solo",),
                              env={**os.environ, "DATABASE_URL": database_url(), **extra_env}))
        return workers[-1]

    yield make
    for worker in workers:
        worker.stop()
