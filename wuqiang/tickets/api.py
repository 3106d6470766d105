"""The tickets REST API: the same scope (``visible_to``), the same FilterSet as the web list and
the same workflow, through the services. Mounted by the project's API under /api/v1/tickets/.

- ``GET /``: the tickets the user may see; filters ``state``, ``overdue=yes|no``, ``category``,
  ``severity``, ``issuer`` (user id), ``unit`` (division code; tickets to it or inside it), ``q``.
- ``POST /``: issue a ticket (``unit`` code, ``title``, ``problem``, ``category``, ``severity``,
  ``deadline``, optional ``indicator_code`` and ``entry`` id).
- ``GET /{id}/``: one ticket with its timeline and attachments (404 outside the user's scope).
- ``POST /{id}/answer/`` (``answer``), ``/close/`` (optional ``comment``), ``/reject/``
  (``comment``), ``/extend/`` (``deadline``, ``reason``), ``/attachments/`` (multipart ``file``).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from wuqiang.accounts.permissions import NotAllowed
from wuqiang.accounts.scope import get_visible_or_404
from wuqiang.api.base import ScopedViewSet
from wuqiang.entries.models import Entry
from wuqiang.reports.selectors import visible_unit_or_404
from wuqiang.tickets import services
from wuqiang.tickets.filtersets import TicketFilter
from wuqiang.tickets.models import Category, Severity, Ticket, TicketAttachment, TicketEvent


class AttachmentSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = TicketAttachment
        fields = ["id", "original_name", "size", "kind", "uploaded_at", "url"]

    @extend_schema_field(str)
    def get_url(self, obj: TicketAttachment) -> str:
        return reverse("tickets:attachment", args=[obj.pk])


class EventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.username", default=None, read_only=True)

    class Meta:
        model = TicketEvent
        fields = ["at", "actor", "action", "comment", "old_deadline", "new_deadline"]


class TicketSerializer(serializers.ModelSerializer):
    unit = serializers.SerializerMethodField()
    county = serializers.CharField(source="county.code", read_only=True)
    township = serializers.CharField(source="township.code", default=None, read_only=True)
    village = serializers.CharField(source="village.code", default=None, read_only=True)
    issuer = serializers.CharField(source="issuer.username", read_only=True)
    answered_by = serializers.CharField(source="answered_by.username", default=None, read_only=True)
    # Plain values, not enums: the schema already names these choice sets for other models.
    state = serializers.CharField(read_only=True, help_text="issued, answered or closed")
    target_level = serializers.IntegerField(read_only=True, help_text="2 county, 3 township, 4 village")
    issuer_level = serializers.IntegerField(read_only=True, help_text="1 municipality, 2 county")
    is_overdue = serializers.BooleanField(read_only=True)
    days_left = serializers.IntegerField(source="days_left_today", read_only=True, allow_null=True)

    class Meta:
        model = Ticket
        fields = ["id", "unit", "county", "township", "village", "target_level", "issuer", "issuer_level", "title",
                  "problem", "category", "severity", "entry", "indicator_code", "deadline", "state", "is_overdue",
                  "days_left", "answer", "answered_by", "issued_at", "answered_at", "closed_at"]
        read_only_fields = fields

    @extend_schema_field({"type": "object", "properties": {"level": {"type": "integer"}, "code": {"type": "string"},
                                                           "name": {"type": "string"}}})
    def get_unit(self, obj: Ticket) -> dict[str, Any]:
        unit = obj.target
        return {"level": unit.level, "code": unit.code, "name": unit.name}


class TicketDetailSerializer(TicketSerializer):
    events = EventSerializer(many=True, read_only=True)
    attachments = AttachmentSerializer(many=True, read_only=True)

    class Meta(TicketSerializer.Meta):
        fields = [*TicketSerializer.Meta.fields, "events", "attachments"]
        read_only_fields = fields


class IssueSerializer(serializers.Serializer):
    unit = serializers.CharField(max_length=12)
    title = serializers.CharField(max_length=120)
    problem = serializers.CharField(max_length=4000)
    category = serializers.ChoiceField(choices=Category.choices)
    severity = serializers.ChoiceField(choices=Severity.choices)
    deadline = serializers.DateField()
    indicator_code = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")
    entry = serializers.IntegerField(required=False, allow_null=True, default=None)


class AnswerSerializer(serializers.Serializer):
    answer = serializers.CharField(max_length=4000)


class CloseSerializer(serializers.Serializer):
    comment = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class RejectSerializer(serializers.Serializer):
    comment = serializers.CharField(max_length=2000)


class ExtendSerializer(serializers.Serializer):
    deadline = serializers.DateField()
    reason = serializers.CharField(max_length=2000)


class AttachSerializer(serializers.Serializer):
    file = serializers.FileField()


def _call(service, **kwargs: Any) -> Any:
    """Run a service, turning its refusals into API errors (403 for rules, 400 for bad input)."""
    try:
        return service(**kwargs)
    except NotAllowed as refused:
        raise PermissionDenied(str(refused)) from None
    except DjangoValidationError as invalid:
        detail = invalid.message_dict if hasattr(invalid, "error_dict") else {"non_field_errors": invalid.messages}
        raise ValidationError(detail) from None


class TicketViewSet(ScopedViewSet):
    """Inspection tickets in the user's scope, and their workflow (the project's API base:
    scope, language, throttling, JSON errors)."""

    queryset = Ticket.objects.select_related("county", "township", "village", "issuer", "answered_by")
    filterset_class = TicketFilter
    ordering_fields = ["deadline", "issued_at", "id"]
    parser_classes = [JSONParser, FormParser, MultiPartParser]

    def get_queryset(self):
        tickets = super().get_queryset()
        if self.action == "retrieve":
            tickets = tickets.prefetch_related("events__actor", "attachments")
        return tickets.order_by("-issued_at", "-pk")

    def get_serializer_class(self):
        return TicketDetailSerializer if self.action == "retrieve" else TicketSerializer

    def _detail(self, ticket: Ticket, code: int = status.HTTP_200_OK) -> Response:
        ticket = self.get_queryset().prefetch_related("events__actor", "attachments").get(pk=ticket.pk)
        return Response(TicketDetailSerializer(ticket, context=self.get_serializer_context()).data, status=code)

    def _input(self, serializer_class, request: Request) -> dict[str, Any]:
        serializer = serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    @extend_schema(request=IssueSerializer, responses={201: TicketDetailSerializer})
    def create(self, request: Request) -> Response:
        data = self._input(IssueSerializer, request)
        try:
            unit = visible_unit_or_404(request.user, data["unit"])
        except Http404:
            raise ValidationError({"unit": [_("No county, township or village with this code in your scope.")]}) \
                from None
        entry = get_visible_or_404(Entry.objects.all(), request.user, pk=data["entry"]) if data["entry"] else None
        ticket = _call(services.ticket_issue, actor=request.user, unit=unit, data=services.TicketInput(
            title=data["title"], problem=data["problem"], category=data["category"], severity=data["severity"],
            deadline=data["deadline"], indicator_code=data["indicator_code"].strip(), entry=entry))
        return self._detail(ticket, status.HTTP_201_CREATED)

    @extend_schema(request=AnswerSerializer, responses=TicketDetailSerializer)
    @action(detail=True, methods=["post"])
    def answer(self, request: Request, pk: str | None = None) -> Response:
        data = self._input(AnswerSerializer, request)
        return self._detail(_call(services.ticket_answer, ticket=self.get_object(), actor=request.user,
                                  answer=data["answer"]))

    @extend_schema(request=CloseSerializer, responses=TicketDetailSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: str | None = None) -> Response:
        data = self._input(CloseSerializer, request)
        return self._detail(_call(services.ticket_close, ticket=self.get_object(), actor=request.user,
                                  comment=data["comment"]))

    @extend_schema(request=RejectSerializer, responses=TicketDetailSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: str | None = None) -> Response:
        data = self._input(RejectSerializer, request)
        return self._detail(_call(services.ticket_reject, ticket=self.get_object(), actor=request.user,
                                  comment=data["comment"]))

    @extend_schema(request=ExtendSerializer, responses=TicketDetailSerializer)
    @action(detail=True, methods=["post"])
    def extend(self, request: Request, pk: str | None = None) -> Response:
        data = self._input(ExtendSerializer, request)
        return self._detail(_call(services.ticket_extend, ticket=self.get_object(), actor=request.user,
                                  deadline=data["deadline"], reason=data["reason"]))

    @extend_schema(request={"multipart/form-data": AttachSerializer}, responses={201: AttachmentSerializer})
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def attachments(self, request: Request, pk: str | None = None) -> Response:
        data = self._input(AttachSerializer, request)
        upload = data["file"]
        attachment = _call(services.attachment_add, ticket=self.get_object(), actor=request.user, fileobj=upload,
                           name=upload.name)
        return Response(AttachmentSerializer(attachment).data, status=status.HTTP_201_CREATED)
