"""The request being served, for audit events raised where no request is at hand.

Signal receivers (a password saved, an admin change) and services called from views do not
always get the request; ``AuditMiddleware`` lends it here for the request's duration so the
event still carries the address and the signed-in actor.
"""

from __future__ import annotations

from contextvars import ContextVar

from django.http import HttpRequest

_current_request: ContextVar[HttpRequest | None] = ContextVar("wuqiang_audit_request", default=None)


def current_request() -> HttpRequest | None:
    return _current_request.get()


def bind_request(request: HttpRequest | None):
    """Make ``request`` the current one; returns the token to pass to ``unbind_request``."""
    return _current_request.set(request)


def unbind_request(token) -> None:
    _current_request.reset(token)
