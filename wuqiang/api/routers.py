"""The one router of /api/v1/. Apps register their viewsets on it (from ``AppConfig.ready`` or
their ``api.py`` imported there); ``urls.py`` serves what it holds."""

from __future__ import annotations

from rest_framework.routers import DefaultRouter

from wuqiang.security.gate import PASSWORD_CHANGE, SECOND_FACTOR


def api_view_marks(view):
    """The portal's middleware must not treat API calls like page views: LoginRequiredMiddleware
    would redirect a token caller (authenticated by DRF, after the middleware) to the login page,
    and the sign-in gate would redirect a session owing a step. DRF checks both itself
    (IsAuthenticated; PortalSessionAuthentication refuses a session owing a step), as JSON."""
    view.login_required = False
    view.security_gate_allows = frozenset({SECOND_FACTOR, PASSWORD_CHANGE})
    return view


class PortalRouter(DefaultRouter):
    include_format_suffixes = False

    def get_urls(self):
        urls = super().get_urls()
        for pattern in urls:
            api_view_marks(pattern.callback)
        return urls

    def get_api_root_view(self, api_urls=None):
        return api_view_marks(super().get_api_root_view(api_urls))


router = PortalRouter()
