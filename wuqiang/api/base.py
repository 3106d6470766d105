"""What every API viewset shares: the scope rule on every queryset, the request's language,
codes as natural keys, filters, ordering, pagination and throttling.

To add an endpoint from another app (e.g. tickets): subclass ``ScopedReadOnlyViewSet`` or
``ScopedViewSet``, give ``queryset`` (a model with ``scope_paths`` and a ScopedQuerySet),
``serializer_class``, ``filterset_class`` and ``ordering_fields``, write through the app's
services in ``perform_create``/``perform_update``/actions, and register it in the shared
router from the app's ``AppConfig.ready``::

    from wuqiang.api.routers import router
    router.register("tickets", TicketViewSet, basename="ticket")

(see docs/api.md).
"""

from __future__ import annotations

from django.conf import settings
from django.utils import translation
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import mixins, viewsets
from rest_framework.filters import OrderingFilter


class PortalAPIMixin:
    """Speaks the request's language: the language cookie, else Accept-Language, else zh-hans.

    The portal's pages ignore Accept-Language (Chinese first); API clients state their language."""

    def initial(self, request, *args, **kwargs):
        language = translation.get_language_from_request(request._request)
        supported = {code for code, _name in settings.LANGUAGES}
        translation.activate(language if language in supported else settings.LANGUAGE_CODE)
        request._request.LANGUAGE_CODE = translation.get_language()
        return super().initial(request, *args, **kwargs)

    def check_permissions(self, request) -> None:
        # Throttle before refusing: an anonymous caller probing with no or bad credentials is
        # limited too (DRF checks throttles only after the permissions pass).
        self.check_throttles(request)
        super().check_permissions(request)

    def check_throttles(self, request) -> None:
        if getattr(self, "_throttles_checked", False):
            return
        self._throttles_checked = True
        super().check_throttles(request)

    def http_method_not_allowed(self, request, *args, **kwargs):
        # An object outside the caller's scope is 404 whatever the method: a 405 would confirm
        # that the key names something.
        kwarg = getattr(self, "lookup_url_kwarg", None) or getattr(self, "lookup_field", None)
        if kwarg and kwarg in self.kwargs and hasattr(self, "get_object"):
            self.get_object()
        return super().http_method_not_allowed(request, *args, **kwargs)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        response.setdefault("Content-Language", translation.get_language())
        return response


class ScopedMixin(PortalAPIMixin):
    """Every queryset passes through the one scope rule (``visible_to``); a single object outside
    the caller's scope is 404, as on the web."""

    filter_backends = [DjangoFilterBackend, OrderingFilter]
    ordering_fields: list[str] = []

    def get_queryset(self):
        return super().get_queryset().visible_to(self.request.user)


class ScopedReadOnlyViewSet(ScopedMixin, viewsets.ReadOnlyModelViewSet):
    """List and retrieve, inside the caller's scope."""


class ScopedViewSet(ScopedMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """List and retrieve inside the scope; writes are actions that call the app's services."""
