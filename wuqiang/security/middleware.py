"""Session lifetime, the sign-in gate, and no-store for everything a signed-in user sees."""

from __future__ import annotations

import time
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

from wuqiang.security.gate import (
    ACTIVITY_KEY,
    MFA_KEY,
    SECOND_FACTOR,
    STARTED_KEY,
    owed_step,
)

# Writing the session on every request would cost a query each; a minute's slack is harmless.
ACTIVITY_RESOLUTION_SECONDS = 60


def session_remaining(session, now: float | None = None) -> float:
    """Seconds before the session ends for idleness or age, whichever comes first."""
    now = time.time() if now is None else now
    idle_left = settings.SESSION_IDLE_MINUTES * 60 - (now - session.get(ACTIVITY_KEY, now))
    age_left = settings.SESSION_MAX_HOURS * 3600 - (now - session.get(STARTED_KEY, now))
    return min(idle_left, age_left)


def touch(session, now: float | None = None, *, force: bool = False) -> None:
    now = time.time() if now is None else now
    if force or now - session.get(ACTIVITY_KEY, 0) >= ACTIVITY_RESOLUTION_SECONDS:
        session[ACTIVITY_KEY] = now
    session.setdefault(STARTED_KEY, now)


class SessionTimeoutMiddleware:
    """Signs out a user idle for SESSION_IDLE_MINUTES or signed in for SESSION_MAX_HOURS.

    Every request counts as activity except the session-status probe of the warning script
    (it marks the request ``keep_idle_clock``), else the probe itself would keep sessions alive.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = time.time()
            session = request.session
            idle = now - session.get(ACTIVITY_KEY, now) > settings.SESSION_IDLE_MINUTES * 60
            old = now - session.get(STARTED_KEY, now) > settings.SESSION_MAX_HOURS * 3600
            if idle or old:
                if idle:
                    request.logout_reason = "idle timeout"
                    notice = _("You were signed out after %(minutes)d minutes without activity.") % {
                        "minutes": settings.SESSION_IDLE_MINUTES}
                else:
                    request.logout_reason = "session lifetime"
                    notice = _("You were signed out: a session lasts at most %(hours)d hours.") % {
                        "hours": settings.SESSION_MAX_HOURS}
                logout(request)
                messages.info(request, notice)
        response = self.get_response(request)
        if request.user.is_authenticated and not getattr(request, "keep_idle_clock", False):
            touch(request.session)
        return response


class SecurityGateMiddleware:
    """Sends a signed-in user who owes a second factor or a new password to that page first."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs) -> HttpResponse | None:
        if not request.user.is_authenticated:
            return None
        step = owed_step(request.session)
        if step is None or step in getattr(view_func, "security_gate_allows", ()):
            return None
        if step == SECOND_FACTOR:
            target = reverse("security:mfa-verify" if request.session[MFA_KEY] == "verify" else "security:mfa-setup")
        else:
            target = reverse("password_change")
        return HttpResponseRedirect(f"{target}?{urlencode({'next': request.get_full_path()})}")


class NoStoreMiddleware:
    """Nothing a signed-in user is shown may be kept by the browser or a proxy: pillar data,
    scorecards and tickets are on nearly every page, so the rule covers every response to a
    signed-in user (static files are served before this, by WhiteNoise)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
        return response
