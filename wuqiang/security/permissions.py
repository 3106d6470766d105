"""Who may do the security chores: read the audit log, unlock accounts.

Kept together so the permission module of issue 9 can take them over in one move.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

from wuqiang.accounts.models import Role


def is_system_admin(user: Any) -> bool:
    return bool(user.is_authenticated and user.is_active and (user.is_superuser or user.role == Role.ADMIN))


def can_unlock(user: Any) -> bool:
    """Admins unlock anyone; municipal staff unlock the accounts of their own municipality."""
    return is_system_admin(user) or bool(
        user.is_authenticated and user.is_active and user.role == Role.MUNICIPAL and user.municipality_id
    )


def unlockable_users(user: Any) -> QuerySet:
    """The accounts ``user`` may unlock: everyone's for admins; for municipal staff, the staff,
    reviewers and clerks whose unit lies in their municipality; nobody's otherwise."""
    users = get_user_model().objects.all()
    if is_system_admin(user):
        return users
    if not can_unlock(user):
        return users.none()
    municipality = user.municipality_id
    return users.filter(
        Q(municipality_id=municipality)
        | Q(county__municipality_id=municipality)
        | Q(township__county__municipality_id=municipality)
    )
