"""Helpers for the sign-in security tests: signing in through the real forms (so django-axes,
the gate and the signals all run), and moving failed attempts back in time."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
from axes.models import AccessAttempt
from django.test import Client

from tests.factories import PASSWORD

PORTAL_LOGIN = "/accounts/login/"
ADMIN_LOGIN = "/admin/login/"


def sign_in(client: Client, username: str, password: str = PASSWORD, *, page: str = PORTAL_LOGIN,
            address: str = "127.0.0.1"):
    return client.post(page, {"username": username, "password": password}, REMOTE_ADDR=address)


def age_attempts(minutes: int) -> None:
    """Pretend every failed attempt happened ``minutes`` earlier (the cool-off clock)."""
    for attempt in AccessAttempt.objects.all():
        attempt.attempt_time -= datetime.timedelta(minutes=minutes)
        attempt.save(update_fields=["attempt_time"])


@pytest.fixture
def fail_sign_in(client) -> Callable[..., object]:
    def _fail(username: str, times: int, *, page: str = PORTAL_LOGIN, address: str = "127.0.0.1"):
        response = None
        for _ in range(times):
            response = sign_in(client, username, "wrong-password-123", page=page, address=address)
        return response

    return _fail
