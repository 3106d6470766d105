"""Creating and revoking API tokens: the only writes to them, each one audited."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wuqiang.api.models import ApiToken, hash_token, new_raw_token
from wuqiang.audit.models import EventKind
from wuqiang.audit.services import record
from wuqiang.core.validators import plain_text

MAX_TOKENS_PER_USER = 20
MAX_TOKEN_DAYS = 366


@transaction.atomic
def token_create(*, user, name: str, expires_on: datetime.date | None = None) -> tuple[ApiToken, str]:
    """Make a token for ``user``; returns it and its secret, which is shown once and never stored."""
    if not user.is_authenticated or not user.is_active:
        raise ValidationError(_("Only a signed-in user makes tokens."))
    name = plain_text(name, field="name", required=True, max_length=64, multiline_text=False,
                      required_message=_("Name the token after the system that will use it."))
    expires_at = None
    if expires_on is not None:
        today = timezone.localdate()
        if not today < expires_on <= today + datetime.timedelta(days=MAX_TOKEN_DAYS):
            raise ValidationError({"expires_on": _("Choose an expiry date after today and at most a year ahead.")})
        expires_at = timezone.make_aware(datetime.datetime.combine(expires_on, datetime.time.max))
    if ApiToken.objects.filter(user=user, revoked_at__isnull=True).count() >= MAX_TOKENS_PER_USER:
        raise ValidationError(_("You have %(count)d tokens; revoke one you no longer use first.")
                              % {"count": MAX_TOKENS_PER_USER})
    prefix, raw = new_raw_token()
    token = ApiToken.objects.create(user=user, name=name, prefix=prefix, key_hash=hash_token(raw),
                                    expires_at=expires_at)
    record(EventKind.TOKEN_CREATED, actor=user, obj=token, name=name,
           expires=expires_on.isoformat() if expires_on else None)
    return token, raw


@transaction.atomic
def token_revoke(*, token: ApiToken, actor) -> ApiToken:
    """Revoke one of the actor's own tokens (revoking twice changes nothing)."""
    if token.user_id != actor.pk:
        raise ValidationError(_("You can revoke only your own tokens."))
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        record(EventKind.TOKEN_REVOKED, actor=actor, obj=token, name=token.name)
    return token
