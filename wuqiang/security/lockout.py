"""Sign-in lockout with django-axes: per account and per address, with the time to retry.

Axes counts failed authentications in ``AccessAttempt`` rows (one per username, address and
browser) and refuses authentication while the failures inside the cool-off window reach the
limit. It has one limit for every lockout parameter; ``LockoutHandler`` gives the address its
own, higher limit, because a township office's clerks share one address behind NAT.

Both login pages (the portal's and the admin's) go through ``django.contrib.auth.authenticate``
and so through axes without further code. Token authentication of the API (issue 12) does not:
its authentication class calls ``check_token_authentication`` before checking a token and
``token_authentication_failed`` when the token is wrong — see their docstrings.
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass
from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import PermissionDenied
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wuqiang.accounts.permissions import is_system_admin, unlockable_users
from wuqiang.audit.models import EventKind
from wuqiang.audit.services import record
from wuqiang.core.http import client_ip


def _limits() -> tuple[int, int]:
    """(per account, per address); AXES_FAILURE_LIMIT is LOGIN_FAILURES_PER_ACCOUNT."""
    return settings.AXES_FAILURE_LIMIT, max(settings.LOGIN_FAILURES_PER_ADDRESS, 1)


def _recent(now: datetime.datetime):
    return AccessAttempt.objects.filter(attempt_time__gte=now - get_cool_off())


def _failures(recent, **match: Any) -> int:
    return recent.filter(**match).aggregate(n=Sum("failures_since_start"))["n"] or 0


class LockoutHandler(AxesDatabaseHandler):
    """Axes' database handler with separate limits per account and per address."""

    def get_failures(self, request: HttpRequest, credentials: dict | None = None) -> int:
        per_account_limit, per_address_limit = _limits()
        recent = _recent(request.axes_attempt_time or timezone.now())
        username = get_client_username(request, credentials)
        account = _failures(recent, username=username) if username else 0
        address = _failures(recent, ip_address=request.axes_ip_address) if request.axes_ip_address else 0
        request.lockout_counts = {"account_failures": account, "address_failures": address}
        # Axes compares one number with AXES_FAILURE_LIMIT (the per-account limit): scale the
        # address's count so it reaches that limit exactly when it reaches its own.
        return max(account, address * per_account_limit // per_address_limit)


def lockout_ends_at(*, username: str | None, ip_address: str | None,
                    now: datetime.datetime | None = None) -> datetime.datetime | None:
    """When neither the account nor the address is locked out any more; None if neither is now.

    Each attempt row counts all its failures until its latest one leaves the cool-off window,
    so the lockout ends when enough of the oldest rows have aged out to fall below the limit.
    """
    now = now or timezone.now()
    cool_off = get_cool_off()
    per_account_limit, per_address_limit = _limits()
    recent = _recent(now)
    ends = []
    for field, value, limit in (("username", username, per_account_limit),
                                ("ip_address", ip_address, per_address_limit)):
        if not value:
            continue
        rows = list(recent.filter(**{field: value}).order_by("attempt_time").values_list(
            "attempt_time", "failures_since_start"))
        remaining = sum(failures for _at, failures in rows)
        for attempt_time, failures in rows:
            if remaining < limit:
                break
            remaining -= failures
            if remaining < limit:
                ends.append(attempt_time + cool_off)
    return max(ends) if ends else None


def lockout_response(request: HttpRequest, original_response: HttpResponse | None = None,
                     credentials: dict | None = None) -> HttpResponse:
    """The page both login forms show once axes refuses: when to try again, and who can unlock."""
    ends_at = lockout_ends_at(username=get_client_username(request, credentials),
                              ip_address=getattr(request, "axes_ip_address", None) or client_ip(request))
    left = (ends_at - timezone.now()) if ends_at else get_cool_off()
    minutes = math.ceil(left.total_seconds() / 60)
    response = render(request, "security/locked_out.html",
                      {"ends_at": ends_at, "minutes": max(minutes, 1)}, status=429)
    response["Retry-After"] = str(max(minutes, 1) * 60)
    return response


# --- For the API's token authentication (issue 12) ------------------------------------------


class LockedOut(PermissionDenied):
    """The account or the address may not authenticate before ``ends_at``."""

    def __init__(self, ends_at: datetime.datetime | None) -> None:
        super().__init__(_("Too many failed sign-in attempts."))
        self.ends_at = ends_at


def check_token_authentication(request: HttpRequest, *, username: str | None = None) -> None:
    """Raise ``LockedOut`` if ``request``'s address, or the account ``username``, is locked out.

    The API's token authentication class calls this before it looks the token up, with the
    Django ``HttpRequest`` (a DRF ``Request``'s ``_request``) and the account the token names
    if the token's form reveals it (else ``None``: the address alone is checked). It should
    turn ``LockedOut`` into DRF's ``Throttled(wait=…)`` so the client gets 429 and Retry-After.
    """
    if not AxesProxyHandler.is_allowed(request, {"username": username}):
        raise LockedOut(lockout_ends_at(username=username, ip_address=request.axes_ip_address))


def token_authentication_failed(request: HttpRequest, *, username: str | None = None) -> datetime.datetime | None:
    """Count a wrong or unknown token as a failed sign-in; returns the lockout's end if this
    failure started one (else None).

    Counted like a wrong password: per account when ``username`` is known, always per address;
    the audit log gets a failed sign-in (stage ``api_token``) and, on the failure that locks, a
    lockout event.
    """
    user_login_failed.send(sender=__name__, credentials={"username": username, "stage": "api_token"},
                           request=request)
    if getattr(request, "axes_locked_out", False):
        return lockout_ends_at(username=username, ip_address=request.axes_ip_address)
    return None


# --- Who is locked out, and unlocking ---------------------------------------------------------


@dataclass(frozen=True)
class Lockout:
    """An account or an address that may not sign in now, and when that ends."""

    kind: str  # "account" or "address"
    value: str
    failures: int
    ends_at: datetime.datetime | None
    user: Any = None


def current_lockouts(viewer: Any, *, now: datetime.datetime | None = None) -> list[Lockout]:
    """The lockouts ``viewer`` may lift: accounts of their users; addresses for admins only."""
    now = now or timezone.now()
    per_account_limit, per_address_limit = _limits()
    recent = _recent(now)
    accounts = {
        row["username"]: row["n"]
        for row in recent.exclude(username__isnull=True).exclude(username="").values("username")
        .annotate(n=Sum("failures_since_start")).filter(n__gte=per_account_limit)
    }
    users = {u.username: u for u in unlockable_users(viewer).filter(username__in=list(accounts))}
    admin = is_system_admin(viewer)
    lockouts = [
        Lockout("account", username, failures, lockout_ends_at(username=username, ip_address=None, now=now),
                users.get(username))
        for username, failures in sorted(accounts.items())
        if username in users or admin
    ]
    if admin:
        lockouts += [
            Lockout("address", row["ip_address"], row["n"],
                    lockout_ends_at(username=None, ip_address=row["ip_address"], now=now))
            for row in recent.exclude(ip_address__isnull=True).values("ip_address")
            .annotate(n=Sum("failures_since_start")).filter(n__gte=per_address_limit).order_by("ip_address")
        ]
    return lockouts


class NotAllowed(PermissionDenied):
    pass


def unlock_account(*, actor: Any, username: str, request: HttpRequest | None = None) -> int:
    """Forget the failed sign-ins of ``username`` (any address); returns how many rows went."""
    user = unlockable_users(actor).filter(username=username).first()
    if user is None and not is_system_admin(actor):
        raise NotAllowed(_("You may not unlock this account."))
    removed = AxesProxyHandler.reset_attempts(username=username)
    record(EventKind.UNLOCK, actor=actor, request=request, obj=user, lockout="account", account=username)
    return removed


def unlock_address(*, actor: Any, ip_address: str, request: HttpRequest | None = None) -> int:
    """Forget the failed sign-ins from ``ip_address``; administrators only."""
    if not is_system_admin(actor):
        raise NotAllowed(_("Only administrators may unlock an address."))
    removed = AxesProxyHandler.reset_attempts(ip_address=ip_address)
    record(EventKind.UNLOCK, actor=actor, request=request, lockout="address", address=ip_address)
    return removed
