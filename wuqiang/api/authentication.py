"""Who is calling: a signed-in browser (session, with CSRF) or another system (a token).

Tokens are sent as ``Authorization: Bearer wq_<prefix>_<secret>``. A wrong, revoked or expired
token counts as a failed sign-in towards the lockout of the address (and of the account its
prefix names), exactly like a wrong password (``wuqiang.security.lockout``); a locked-out
address gets 429 with Retry-After before any token is looked at.
"""

from __future__ import annotations

import datetime
import math

from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, SessionAuthentication, get_authorization_header

from wuqiang.api.models import ApiToken, split_token
from wuqiang.security.gate import owed_step
from wuqiang.security.lockout import LockedOut, check_token_authentication, token_authentication_failed

KEYWORD = b"bearer"
# Writing last_used on every request would cost an UPDATE each; a minute's resolution is enough.
LAST_USED_RESOLUTION = datetime.timedelta(minutes=1)


def _throttled(ends_at: datetime.datetime | None) -> exceptions.Throttled:
    wait = max(math.ceil((ends_at - timezone.now()).total_seconds()), 1) if ends_at else 60
    return exceptions.Throttled(wait=wait, detail=gettext("Too many failed sign-in attempts."))


class TokenAuthentication(BaseAuthentication):
    """A personal access token made in the portal (Bearer scheme)."""

    def authenticate(self, request):
        header = get_authorization_header(request).split()
        if not header or header[0].lower() != KEYWORD:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Send the token as: Authorization: Bearer <token>."))
        try:
            raw = header[1].decode("ascii")
        except UnicodeDecodeError:
            raw = ""
        django_request = request._request
        prefix = split_token(raw)
        token = (ApiToken.objects.select_related("user").filter(prefix=prefix).first()
                 if prefix is not None else None)
        username = token.user.get_username() if token is not None else None
        try:
            check_token_authentication(django_request, username=username)
        except LockedOut as locked:
            raise _throttled(locked.ends_at) from None
        now = timezone.now()
        if token is None or not token.matches(raw) or not token.is_active or not token.user.is_active:
            ends_at = token_authentication_failed(django_request, username=username)
            if ends_at is not None:
                raise _throttled(ends_at)
            raise exceptions.AuthenticationFailed(_("The token is not valid, or it has expired or been revoked."))
        if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        request.api_token = token
        # A token call is not browser activity: the session middleware must not make (and
        # store) a session for it.
        django_request.keep_idle_clock = True
        return token.user, token

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="api"'


class PortalSessionAuthentication(SessionAuthentication):
    """The browser's session, with Django's CSRF check on unsafe methods; a session that still
    owes a second factor or a new password does not count as signed in here."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None and owed_step(request._request.session) is not None:
            raise exceptions.PermissionDenied(_("Finish signing in (second factor or new password) in the portal."))
        return result
