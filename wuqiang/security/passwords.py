"""Password rules beyond Django's validators: no reuse, and a change required at first sign-in.

Django calls every validator's ``password_changed`` whenever a user is saved after
``set_password``, whatever did it (the portal's form, the admin, ``createsuperuser``); that
one hook records the history, writes the audit event and decides whether the user must
choose their own password next time: a password set by somebody else (an administrator, in
the admin) is a temporary one.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.utils.translation import ngettext

from wuqiang.audit.context import current_request
from wuqiang.audit.models import EventKind
from wuqiang.audit.services import record
from wuqiang.security.models import PasswordChangeReason, PasswordHistory, RequiredPasswordChange


class PasswordHistoryValidator:
    """Refuses the current password and the ``remember`` most recent ones."""

    def __init__(self, remember: int = 5) -> None:
        self.remember = max(int(remember), 1)

    def _recent_hashes(self, user: Any) -> list[str]:
        hashes = [user.password] if user.password else []
        hashes += PasswordHistory.objects.filter(user=user).order_by("-created_at", "-pk").values_list(
            "password", flat=True)[: self.remember]
        return hashes

    def validate(self, password: str, user: Any = None) -> None:
        if user is None or user.pk is None:
            return
        if any(check_password(password, encoded) for encoded in self._recent_hashes(user)):
            raise ValidationError(self.get_help_text(), code="password_reused")

    def password_changed(self, password: str, user: Any) -> None:
        password_changed(user, remember=self.remember)

    def get_help_text(self) -> str:
        return ngettext(
            "Your password can't be the same as your last %(count)d password.",
            "Your password can't be one of your last %(count)d passwords.",
            self.remember,
        ) % {"count": self.remember}


def password_changed(user: Any, *, remember: int) -> None:
    PasswordHistory.objects.create(user=user, password=user.password)
    stale = PasswordHistory.objects.filter(user=user).order_by("-created_at", "-pk").values_list(
        "pk", flat=True)[remember:]
    PasswordHistory.objects.filter(pk__in=list(stale)).delete()

    request = current_request()
    actor = getattr(request, "user", None) if request is not None else None
    actor = actor if actor is not None and actor.is_authenticated else None
    set_by_other = actor is not None and actor.pk != user.pk
    if set_by_other:
        require_password_change([user.pk], reason=PasswordChangeReason.SET_BY_ADMIN)
    elif actor is not None:
        RequiredPasswordChange.objects.filter(user=user).delete()
    record(EventKind.PASSWORD_CHANGE, actor=actor, request=request, obj=user, set_by_other=set_by_other)


def require_password_change(user_ids: Iterable[int], *, reason: PasswordChangeReason) -> None:
    """Make these users choose a new password at their next sign-in (when FORCE_PASSWORD_CHANGE is on)."""
    RequiredPasswordChange.objects.bulk_create(
        [RequiredPasswordChange(user_id=pk, reason=reason) for pk in user_ids],
        update_conflicts=True, unique_fields=["user"], update_fields=["reason", "created_at"],
    )


def password_change_pending(user: Any) -> bool:
    return settings.FORCE_PASSWORD_CHANGE and RequiredPasswordChange.objects.filter(user=user).exists()

