"""Request limits for the API: per address for anonymous callers, per user otherwise.

Rates come from settings.API_THROTTLE_RATES at each request (DRF reads its own setting once at
import), so operators and tests can change them. Over the limit: 429 with Retry-After."""

from __future__ import annotations

from django.conf import settings
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

DEFAULT_RATES = {"anon": "30/minute", "user": "600/minute"}


class _SettingsRate:
    scope: str

    def __init__(self) -> None:
        # SimpleRateThrottle.__init__ reads the rate once; allow_request reads it each time.
        pass

    def get_rate(self) -> str | None:
        return {**DEFAULT_RATES, **getattr(settings, "API_THROTTLE_RATES", {})}.get(self.scope)

    def allow_request(self, request, view) -> bool:
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_cache_key(self, request, view) -> str | None:
        key = super().get_cache_key(request, view)
        # A namespace of their own (settings.API_THROTTLE_NAMESPACE), so counts can be started
        # afresh without clearing a cache other things share.
        return f"{getattr(settings, 'API_THROTTLE_NAMESPACE', 'api')}:{key}" if key else None

    def get_ident(self, request) -> str:
        from wuqiang.core.http import client_ip

        return client_ip(request._request) or "unknown"


class AnonThrottle(_SettingsRate, AnonRateThrottle):
    """Callers without credentials, per client address."""


class UserThrottle(_SettingsRate, UserRateThrottle):
    """Signed-in callers (session or token), per user."""
