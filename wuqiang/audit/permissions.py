"""Who may read the audit log: system administrators only (superusers or the admin role).

One predicate, used by the portal page, its export and the navigation; the admin's read-only
list is limited by Django's own model permissions.
"""

from __future__ import annotations

from typing import Any

from wuqiang.security.permissions import is_system_admin


def can_read_audit_log(user: Any) -> bool:
    return is_system_admin(user)
