"""What the portal keeps about passwords beyond Django's own hash."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PasswordHistory(models.Model):
    """A password hash a user has had, kept so they cannot choose it again (the last few only)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
                             verbose_name=_("user"))
    password = models.CharField(_("password hash"), max_length=128)
    created_at = models.DateTimeField(_("set at"), default=timezone.now)

    class Meta:
        verbose_name = _("previous password")
        verbose_name_plural = _("previous passwords")
        indexes = [models.Index(fields=["user", "-created_at"], name="password_history_user_time")]

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.created_at:%Y-%m-%d %H:%M}"


class PasswordChangeReason(models.TextChoices):
    SEEDED = "seeded", _("Demo account with the shared demo password")
    SET_BY_ADMIN = "set_by_admin", _("Password set by an administrator")


class RequiredPasswordChange(models.Model):
    """A user who must choose a new password of their own at their next sign-in."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True,
                                related_name="+", verbose_name=_("user"))
    reason = models.CharField(_("reason"), max_length=16, choices=PasswordChangeReason)
    created_at = models.DateTimeField(_("since"), default=timezone.now)

    class Meta:
        verbose_name = _("required password change")
        verbose_name_plural = _("required password changes")

    def __str__(self) -> str:
        return f"{self.user_id}: {self.get_reason_display()}"
