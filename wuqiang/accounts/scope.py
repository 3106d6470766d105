"""The one scoping mechanism: which part of the hierarchy a user may see.

A user's role pins them to one unit (a clerk to a township, a reviewer to a county, municipal
staff to a municipality); admins see everything and a user without a role sees nothing.
Every model a user can read declares ``scope_paths`` — for each level, the lookup from the
model to that level's unit id — and its queryset's ``visible_to(user)`` filters by it. Views,
API viewsets and exports all go through ``visible_to`` (or ``get_visible_or_404`` for one
object), so the rule lives here and nowhere else.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from django.db import models
from django.http import Http404

if TYPE_CHECKING:
    from wuqiang.regions.models import Unit

M = TypeVar("M", bound=models.Model)


@dataclass(frozen=True)
class Scope:
    """The unit a user is confined to; ``everything`` for admins, ``nothing`` for no role."""

    level: int | None = None
    unit_id: int | None = None
    everything: bool = False

    @property
    def nothing(self) -> bool:
        return not self.everything and self.level is None

    @classmethod
    def of(cls, user: Any) -> Scope:
        if user is None or not user.is_authenticated or not user.is_active:
            return cls()
        cached = getattr(user, "_wuqiang_scope", None)
        if cached is None:
            cached = user.compute_scope()
            user._wuqiang_scope = cached
        return cached

    def covers(self, unit: Unit) -> bool:
        """Whether ``unit`` lies inside this scope, from ids already on the object (no query)."""
        if self.everything:
            return True
        if self.nothing:
            return False
        return unit_ids(unit).get(self.level) == self.unit_id


def unit_ids(unit: Unit) -> dict[int, int]:
    """Level → id of the unit itself and of the ancestors reachable by foreign-key ids."""
    from wuqiang.regions.models import Level

    ids = {unit.level: unit.pk}
    if unit.level == Level.VILLAGE:
        ids[Level.TOWNSHIP] = unit.township_id
        ids[Level.COUNTY] = unit.county_id
        # Through the township, the chain the breadcrumbs load anyway.
        ids[Level.MUNICIPALITY] = unit.township.county.municipality_id
    elif unit.level == Level.TOWNSHIP:
        ids[Level.COUNTY] = unit.county_id
        ids[Level.MUNICIPALITY] = unit.county.municipality_id
    elif unit.level == Level.COUNTY:
        ids[Level.MUNICIPALITY] = unit.municipality_id
    return ids


class ScopedQuerySet(models.QuerySet):
    """A queryset that knows how to restrict itself to what a user may see.

    The model declares ``scope_paths: dict[Level, str]``. A scope at a level the model has no
    path for (a clerk asking for counties) sees none of it: the unit lies above their scope.
    """

    def visible_to(self, user: Any) -> ScopedQuerySet:
        return self.within(Scope.of(user))

    def within(self, scope: Scope) -> ScopedQuerySet:
        if scope.everything:
            return self
        path = self.model.scope_paths.get(scope.level) if not scope.nothing else None
        if path is None:
            return self.none()
        return self.filter(**{path: scope.unit_id})


def get_visible_or_404(queryset: models.QuerySet[M], user: Any, **lookup: Any) -> M:
    """The access helper: one object inside the user's scope, or 404 — never a bare .get()."""
    try:
        return queryset.visible_to(user).get(**lookup)
    except queryset.model.DoesNotExist:
        raise Http404(f"No {queryset.model._meta.verbose_name} matches the given query.") from None
