"""The security audit log: one row per event an auditor asks about (ASVS V7)."""

from __future__ import annotations

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class EventKind(models.TextChoices):
    LOGIN = "login", _("Signed in")
    LOGIN_FAILED = "login_failed", _("Sign-in failed")
    LOCKOUT = "lockout", _("Locked out")
    UNLOCK = "unlock", _("Unlocked")
    LOGOUT = "logout", _("Signed out")
    PASSWORD_CHANGE = "password_change", _("Password changed")
    MFA_ENROLLED = "mfa_enrolled", _("Two-factor sign-in turned on")
    MFA_DISABLED = "mfa_disabled", _("Two-factor sign-in turned off")
    MFA_VERIFIED = "mfa_verified", _("Second factor accepted")
    RECOVERY_CODES = "recovery_codes", _("Recovery codes renewed")
    ACCESS_DENIED = "access_denied", _("Access refused")
    ADMIN_CHANGE = "admin_change", _("Administration change")
    YEAR_STATE = "year_state", _("Assessment year state changed")
    EXPORT = "export", _("Export")
    IMPORT = "import", _("Import")
    TOKEN_CREATED = "token_created", _("API token created")
    TOKEN_REVOKED = "token_revoked", _("API token revoked")
    TICKET = "ticket", _("Inspection ticket")


class AuditEvent(models.Model):
    """One security-relevant event: who did what, from which address, when, and to which object."""

    occurred_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    kind = models.CharField(_("event"), max_length=32, choices=EventKind)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("actor"),
    )
    # Kept as text: survives the account's deletion, and names the account a failed sign-in tried.
    actor_username = models.CharField(_("username"), max_length=150, blank=True)
    ip_address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    path = models.CharField(_("path"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-occurred_at", "-pk"]
        indexes = [
            models.Index(fields=["kind", "-occurred_at"], name="audit_kind_time"),
            models.Index(fields=["actor_username", "-occurred_at"], name="audit_username_time"),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M:%S} {self.get_kind_display()} {self.actor_username}"
