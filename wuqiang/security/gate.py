"""What a signed-in user still owes before using the portal, kept in their session.

Decided once at sign-in (``receivers.py``) so pages pay no query for it: a second factor to
prove (``"verify"``) or to set up (``"enrol"``), then a new password to choose. Views a user
may reach while owing something are marked with ``allow_during``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

SECOND_FACTOR = "second_factor"
PASSWORD_CHANGE = "password_change"

MFA_KEY = "security.mfa"  # "verify" or "enrol" while the second factor is owed
PASSWORD_KEY = "security.password_change"  # True while a new password is owed
STARTED_KEY = "security.started"  # time.time() of the sign-in
ACTIVITY_KEY = "security.activity"  # time.time() of the last request that counted as activity


def allow_during(*steps: str) -> Callable[[Any], Any]:
    """Mark a view reachable while the user owes ``steps`` (SECOND_FACTOR, PASSWORD_CHANGE)."""

    def mark(view: Any) -> Any:
        view.security_gate_allows = frozenset(steps) | getattr(view, "security_gate_allows", frozenset())
        return view

    return mark


def owed_step(session: Any) -> str | None:
    if session.get(MFA_KEY):
        return SECOND_FACTOR
    if session.get(PASSWORD_KEY):
        return PASSWORD_CHANGE
    return None
