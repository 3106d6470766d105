"""Personal access tokens for the REST API."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# "wq_" + 8 lookup characters + "_" + 40 secret characters. The prefix is not secret: it finds
# the row; only the SHA-256 of the whole token is stored, so a database leak reveals no token.
TOKEN_TAG = "wq"
PREFIX_LENGTH = 8


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def new_raw_token() -> tuple[str, str]:
    """(prefix, full token) of a fresh random token."""
    prefix = secrets.token_hex(PREFIX_LENGTH // 2)
    return prefix, f"{TOKEN_TAG}_{prefix}_{secrets.token_urlsafe(30)}"


def split_token(raw: str) -> str | None:
    """The lookup prefix of a token in the portal's form, or None if it has another form."""
    parts = raw.split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_TAG or len(parts[1]) != PREFIX_LENGTH or not parts[2]:
        return None
    return parts[1]


class ApiTokenQuerySet(models.QuerySet):
    def usable(self, now=None) -> ApiTokenQuerySet:
        now = now or timezone.now()
        return self.filter(revoked_at__isnull=True, user__is_active=True).filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now))


class ApiToken(models.Model):
    """A named personal access token with which another system calls the API as its owner; shown
    once at creation, stored only as a hash, optionally expiring, revocable by its owner."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens",
                             verbose_name=_("owner"))
    name = models.CharField(_("name"), max_length=64)
    prefix = models.CharField(_("prefix"), max_length=PREFIX_LENGTH, unique=True)
    key_hash = models.CharField(_("key hash"), max_length=64, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.name} ({TOKEN_TAG}_{self.prefix}_…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > timezone.now())

    def matches(self, raw: str) -> bool:
        return secrets.compare_digest(self.key_hash, hash_token(raw))
