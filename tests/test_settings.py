"""Settings come from the environment: production by default (DEBUG off), embedded SQLite and eager
Celery unless PostgreSQL and Redis are configured, ``check --deploy`` clean, no start without a key."""

from __future__ import annotations

import os
import re
import secrets
import string
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

REPO_ROOT = Path(__file__).resolve().parent.parent
DATABASE_URL = os.environ.get("DATABASE_URL", "")


@pytest.mark.skipif(
    bool({"DATABASE_URL", "CELERY_BROKER_URL"} & set(os.environ)),
    reason="DATABASE_URL or CELERY_BROKER_URL is set: this run is not the embedded (SQLite, eager) default",
)
def test_the_default_run_uses_sqlite_and_eager_celery():
    assert connection.vendor == "sqlite"
    assert settings.CELERY_TASK_ALWAYS_EAGER is True
    assert settings.CELERY_BROKER_URL == ""


@pytest.mark.postgres
@pytest.mark.skipif(
    not DATABASE_URL.startswith(("postgres://", "postgresql://", "pgsql://")),
    reason="DATABASE_URL is not a PostgreSQL URL: run with the PostgreSQL leg's environment (.ci/run)",
)
def test_the_postgres_leg_uses_postgresql_and_a_redis_broker():
    assert connection.vendor == "postgresql"
    assert settings.CELERY_BROKER_URL.startswith("redis://")
    assert settings.CELERY_TASK_ALWAYS_EAGER is False


def _manage(*args: str, **env_overrides: str | None) -> subprocess.CompletedProcess[str]:
    # DJANGO_ALLOW_ASYNC_UNSAFE is the browser tests' own switch (tests/e2e/conftest.py), not the
    # deployment's; check --deploy rightly refuses it. DJANGO_SETTINGS_MODULE points at the test
    # overrides while pytest runs; manage.py must load the real settings.
    dropped = ("SECRET_KEY", "DEBUG", "ALLOWED_HOSTS", "DJANGO_ALLOW_ASYNC_UNSAFE", "DJANGO_SETTINGS_MODULE",
               "PLAIN_HTTP", "SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE",
               "SECURE_HSTS_SECONDS")
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env.update({k: v for k, v in env_overrides.items() if v is not None})
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_production_configuration_passes_check_deploy():
    key = "".join(secrets.choice(string.ascii_letters + string.digits + "!@#%^&*(-_=+)") for _ in range(50))

    result = _manage(
        "check", "--deploy", "--fail-level", "WARNING",
        DEBUG="false", SECRET_KEY=key, ALLOWED_HOSTS="portal.example.gov.cn",
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_the_demo_configuration_warns_only_about_the_tls_it_does_without(tmp_path):
    # scripts/demo: DEBUG off, the generated key file, plain HTTP on the loopback.
    key_file = tmp_path / "secret_key"
    key_file.write_text(secrets.token_urlsafe(50))

    result = _manage("check", "--deploy", PLAIN_HTTP="true", SECRET_KEY_FILE=str(key_file))
    warnings = sorted(set(re.findall(r"\((security\.W\d+)\)", result.stdout + result.stderr)))

    assert result.returncode == 0, result.stdout + result.stderr
    # SSL redirect, HSTS and Secure cookies need TLS, which a loopback demo does not have;
    # nothing else (DEBUG, the key, hosts, cookies' HttpOnly, clickjacking…) is flagged.
    assert warnings == ["security.W004", "security.W008", "security.W012", "security.W016"]


def test_the_default_is_debug_off():
    result = _manage("shell", "-c", "from django.conf import settings; print('DEBUG', settings.DEBUG)",
                     SECRET_KEY="x" * 50)

    assert result.returncode == 0, result.stderr
    assert "DEBUG False" in result.stdout


def test_debug_off_without_a_secret_key_refuses_to_start(tmp_path):
    result = _manage("check", DEBUG="false", SECRET_KEY_FILE=str(tmp_path / "no-such-file"))

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY must be set when DEBUG is off." in result.stderr


@pytest.mark.django_db
def test_every_model_change_has_its_migration():
    from django.core.management import call_command

    # Fails (SystemExit) when a model changed without a migration: a clean clone would differ.
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


@pytest.mark.parametrize(("broker", "backend", "fan_out"), [
    ("redis://127.0.0.1:6379/0", "redis://127.0.0.1:6379/1", "4"),
    ("", "", "0"),  # tasks run in the calling process: nothing to fan out to
])
def test_the_roll_up_fans_out_only_with_a_result_backend(broker, backend, fan_out):
    result = _manage("shell", "-c", "from django.conf import settings; print('FAN_OUT', settings.ROLLUP_FAN_OUT)",
                     SECRET_KEY="x" * 50, ROLLUP_FAN_OUT="4", CELERY_BROKER_URL=broker,
                     CELERY_RESULT_BACKEND=backend)

    assert result.returncode == 0, result.stderr
    assert f"FAN_OUT {fan_out}" in result.stdout
