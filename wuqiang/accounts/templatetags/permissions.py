"""The permission module in templates: buttons and navigation ask the same rules as services.

    {% load permissions %}
    {% can user "start_rollup" year_settings as can_run %}{% if can_run %}…{% endif %}
"""

from __future__ import annotations

from typing import Any

from django import template

from wuqiang.accounts import permissions

register = template.Library()


@register.simple_tag
def can(user: Any, action: str, obj: Any) -> bool:
    """Whether ``user`` may do ``action`` (a key of ``permissions.RULES``) to ``obj``."""
    return obj is not None and permissions.can(user, action, obj)


@register.filter
def is_municipal_staff(user: Any) -> bool:
    return permissions.is_municipal_staff(user)
