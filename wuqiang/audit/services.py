"""Writing to and pruning the audit log. ``record`` is the one door every caller uses."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.db import models
from django.http import HttpRequest
from django.utils import timezone

from wuqiang.audit.context import current_request
from wuqiang.audit.models import AuditEvent, EventKind
from wuqiang.core.http import client_ip


def record(
    kind: EventKind | str,
    *,
    actor: Any = None,
    request: HttpRequest | None = None,
    obj: models.Model | None = None,
    username: str | None = None,
    **detail: Any,
) -> AuditEvent:
    """Write one audit event and return it.

    Contract for callers:

    - ``kind``: an ``EventKind``. Existing callers: sign-ins, failures, lockouts, unlocks and
      sign-outs (auth and axes signals), password changes, two-factor events, refused access
      (``AuditMiddleware``), admin changes (the portal's admin site). Kinds waiting for their
      callers: ``YEAR_STATE`` (the year-lifecycle service: ``obj=`` the AssessmentYear,
      ``from_state=``, ``to_state=``), ``EXPORT`` (``obj=`` the unit whose scope was exported,
      ``what=``, ``year=``, ``format=``), ``IMPORT`` (``obj=`` the township, ``pillar=``,
      ``rows=``, ``accepted=``), ``TOKEN_CREATED`` / ``TOKEN_REVOKED`` (``obj=`` the token,
      ``name=``; never the secret).
    - ``actor``: who acted. Defaults to the signed-in user of ``request`` (or of the request
      being served, see ``wuqiang.audit.context``); ``None`` for anonymous events.
    - ``request``: gives the client address (``wuqiang.core.http.client_ip``) and the path.
      Optional: the request being served is used when omitted; a Celery task has none.
    - ``obj``: the object acted on; its type, primary key and text are stored, so the event
      outlives the object.
    - ``username``: the account named, when it differs from the actor's (a failed sign-in names
      the account tried; nobody is signed in).
    - ``**detail``: JSON-serialisable facts (dates and decimals are fine). Never secrets:
      no passwords, tokens or one-time codes.

    Call it after the action succeeded and inside the action's transaction when it has one, so
    a rolled-back action leaves no event behind.
    """
    request = request if request is not None else current_request()
    if actor is None and request is not None:
        actor = getattr(request, "user", None)
    if actor is not None and not actor.is_authenticated:
        actor = None
    event = AuditEvent(
        kind=kind,
        actor=actor,
        actor_username=(username if username is not None else (actor.get_username() if actor else ""))[:150],
        ip_address=client_ip(request) if request is not None else None,
        path=request.path[:300] if request is not None else "",
        detail=detail,
    )
    if obj is not None:
        event.object_type = obj._meta.label_lower
        event.object_id = str(obj.pk)[:64]
        event.object_repr = str(obj)[:200]
    event.save()
    return event


def prune(*, days: int | None = None, now: datetime.datetime | None = None) -> int:
    """Delete events older than ``days`` (default AUDIT_RETENTION_DAYS); returns how many went."""
    days = settings.AUDIT_RETENTION_DAYS if days is None else days
    cutoff = (now or timezone.now()) - datetime.timedelta(days=days)
    deleted, _ = AuditEvent.objects.filter(occurred_at__lt=cutoff).delete()
    return deleted
