"""View mixins that route every read through the scoping mechanism."""

from __future__ import annotations

from typing import Any

from django.db.models import Model, QuerySet

from wuqiang.accounts.scope import get_visible_or_404


class ScopedObjectMixin:
    """A DetailView-style mixin whose object comes through the access helper (404 outside scope)."""

    model: type[Model]
    lookup_field = "code"
    lookup_url_kwarg = "code"

    def get_queryset(self) -> QuerySet:
        return self.model.objects.all()

    def get_object(self, queryset: QuerySet | None = None) -> Model:
        queryset = self.get_queryset() if queryset is None else queryset
        return get_visible_or_404(
            queryset, self.request.user, **{self.lookup_field: self.kwargs[self.lookup_url_kwarg]}
        )


def breadcrumbs(unit: Any, user: Any) -> list[dict[str, Any]]:
    """The unit's ancestors and itself; only those inside the user's scope are links."""
    scope = user.scope
    return [
        {"unit": u, "url": u.get_absolute_url() if scope.covers(u) else None}
        for u in [*unit.ancestors(), unit]
    ]
