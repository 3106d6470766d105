"""At sign-in: start the session's clocks and note what the user still owes (see gate.py)."""

from __future__ import annotations

import time
from typing import Any

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from wuqiang.security.gate import ACTIVITY_KEY, MFA_KEY, PASSWORD_KEY, STARTED_KEY
from wuqiang.security.mfa import has_second_factor, mfa_required
from wuqiang.security.passwords import password_change_pending


@receiver(user_logged_in, dispatch_uid="security_user_logged_in")
def _start_session(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    session = request.session
    now = time.time()
    session[STARTED_KEY] = session[ACTIVITY_KEY] = now
    session.pop(MFA_KEY, None)
    session.pop(PASSWORD_KEY, None)
    if has_second_factor(user):
        session[MFA_KEY] = "verify"
    elif mfa_required(user):
        session[MFA_KEY] = "enrol"
    if password_change_pending(user):
        session[PASSWORD_KEY] = True
