"""The API's endpoints: thin adapters that scope every read (``visible_to``) and send every
write through the entry services, as the web pages do."""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from support.filtersets import CountyIncomeFilter
from support.models import CountyIncome
from wuqiang.accounts.scope import Scope, get_visible_or_404
from wuqiang.api import serializers as s
from wuqiang.api.base import PortalAPIMixin, ScopedReadOnlyViewSet, ScopedViewSet
from wuqiang.api.exceptions import PreconditionFailed, PreconditionRequired
from wuqiang.entries import services
from wuqiang.entries.filtersets import EntryFilter
from wuqiang.entries.models import Change, ChangeSource, Entry
from wuqiang.entries.registry import MAX_RECORDS_PER_LIST, PillarSheet, get_sheet
from wuqiang.entries.validation import RecordRows, SheetInput
from wuqiang.regions.filtersets import CountyFilter, TownshipFilter, VillageFilter
from wuqiang.regions.models import AssessmentYear, County, Level, Municipality, MunicipalYear, Township, Village
from wuqiang.regions.selectors import year_settings
from wuqiang.scoring.filtersets import (
    CountyScorecardFilter,
    MunicipalScorecardFilter,
    NominationFilter,
    SchemeFilter,
    TownshipScorecardFilter,
    VillageScorecardFilter,
)
from wuqiang.scoring.models import (
    CountyScorecard,
    DemonstrationNomination,
    MunicipalScorecard,
    Scheme,
    SchemeIndicator,
    TownshipScorecard,
    VillageScorecard,
)


def key(code: str, *parts: tuple[str, str]) -> str:
    """A composite natural key for the router: it wraps ``lookup_value_regex`` in the named group
    of ``lookup_url_kwarg``, so closing that group and opening the next ones gives URLs like
    /<code>/<year>/ with each part a named URL argument (and a path parameter in the schema)."""
    return code + "".join(f")/(?P<{name}>{regex}" for name, regex in parts)


YEAR = ("year", "[0-9]{4}")


def pk_of(model, code: str):
    """The unit's id as a subquery: ``unit_id = (SELECT id … WHERE code = …)`` reaches the unique
    (year, unit) index directly, whatever the planner's statistics say about the join."""
    return model.objects.filter(code=code).values("pk")[:1]


# --- The hierarchy ----------------------------------------------------------------------------


class MunicipalityViewSet(ScopedReadOnlyViewSet):
    """Municipalities (市) the caller sees."""

    queryset = Municipality.objects.all()
    serializer_class = s.MunicipalitySerializer
    lookup_field = "code"
    lookup_value_regex = "[0-9]{6}"
    ordering_fields = ["code", "name"]


class CountyViewSet(ScopedReadOnlyViewSet):
    """Counties (县) the caller sees, with their municipality's code."""

    queryset = County.objects.select_related("municipality")
    serializer_class = s.CountySerializer
    filterset_class = CountyFilter
    lookup_field = "code"
    lookup_value_regex = "[0-9]{6}"
    ordering_fields = ["code", "name"]


class TownshipViewSet(ScopedReadOnlyViewSet):
    """Townships (乡镇) the caller sees, with their parents' codes."""

    queryset = Township.objects.select_related("county__municipality")
    serializer_class = s.TownshipSerializer
    filterset_class = TownshipFilter
    lookup_field = "code"
    lookup_value_regex = "[0-9]{9}"
    ordering_fields = ["code", "name"]


class VillageViewSet(ScopedReadOnlyViewSet):
    """Villages (村) the caller sees, with their parents' codes."""

    queryset = Village.objects.select_related("township", "county__municipality")
    serializer_class = s.VillageSerializer
    filterset_class = VillageFilter
    lookup_field = "code"
    lookup_value_regex = "[0-9]{12}"
    ordering_fields = ["code", "name"]


class YearViewSet(PortalAPIMixin, viewsets.ReadOnlyModelViewSet):
    """Assessment years, with their state in the caller's municipality."""

    queryset = AssessmentYear.objects.all()
    serializer_class = s.YearSerializer
    lookup_field = "year"
    lookup_value_regex = "[0-9]{4}"
    filter_backends: list = []

    def get_queryset(self):
        # Years are the calendar, not data: anyone signed in with a role sees them.
        if Scope.of(self.request.user).nothing:
            return AssessmentYear.objects.none()
        return super().get_queryset()

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        municipality = getattr(self.request.user, "home_municipality_id", None)
        context["year_states"] = dict(MunicipalYear.objects.filter(municipality_id=municipality)
                                      .values_list("year_id", "state")) if municipality else {}
        return context


# --- Entries ----------------------------------------------------------------------------------

ETAG = re.compile(r'^\s*(?:W/)?"?(\d+)"?\s*$')

IF_MATCH = OpenApiParameter("If-Match", OpenApiTypes.STR, OpenApiParameter.HEADER, required=True,
                            description='The entry\'s version as its ETag ("3"); "0" creates the entry.')
ENTRY_RESPONSES = {
    400: OpenApiResponse(description="Invalid input: field messages under `errors`."),
    403: OpenApiResponse(description="The action is not allowed now (the reason is in `detail`)."),
    404: OpenApiResponse(description="No such entry in your scope."),
    412: OpenApiResponse(description="Stale If-Match: someone changed the entry since you read it."),
    428: OpenApiResponse(description="If-Match is missing."),
}


def expected_version(request: Request) -> int:
    header = request.headers.get("If-Match")
    if header is None:
        raise PreconditionRequired(_("Send If-Match with the entry's ETag (its version) to change it."))
    match = ETAG.match(header)
    if match is None:
        raise PreconditionFailed(_("If-Match does not name a version of this entry; read it again."))
    return int(match.group(1))


@extend_schema_view(
    list=extend_schema(summary="Entries in your scope"),
    retrieve=extend_schema(summary="One entry: state and version (ETag)"),
)
class EntryViewSet(ScopedViewSet):
    """Entries: one unit's (village or township) sheet of one pillar in one year, with its state and
    version. The key is /<unit code>/<year>/<sheet>/ where sheet is the pillar (e.g.
    ``organizations``) or a township sheet (e.g. ``support-township``)."""

    queryset = Entry.objects.select_related("village", "township", "county")
    serializer_class = s.EntrySerializer
    filterset_class = EntryFilter
    lookup_url_kwarg = "code"
    lookup_value_regex = key("[0-9]{9}|[0-9]{12}", YEAR, ("sheet", "[a-z-]{3,32}"))
    ordering_fields = ["year", "pillar", "state", "updated_at", "version"]
    ordering = ["year_id", "county__code", "township__code", "village__code", "pillar"]

    # -- Finding the entry (unsaved for a unit in scope that has none yet) ---------------------

    def _unit_and_sheet(self) -> tuple[Village | Township, PillarSheet, AssessmentYear]:
        code, year, slug = self.kwargs["code"], int(self.kwargs["year"]), self.kwargs["sheet"]
        level = Level.VILLAGE if len(code) == 12 else Level.TOWNSHIP
        model = Village if level == Level.VILLAGE else Township
        # A village's township: its code is the start of a new entry's sort code (services.new_entry).
        related = ["county__municipality", "township"] if level == Level.VILLAGE else ["county__municipality"]
        unit = get_visible_or_404(model.objects.select_related(*related), self.request.user, code=code)
        sheet = get_sheet(slug)
        assessment_year = AssessmentYear.objects.filter(pk=year).first()
        if sheet is None or sheet.level != level or assessment_year is None:
            raise Http404("No such entry.")
        return unit, sheet, assessment_year

    def get_object(self) -> Entry:
        unit, sheet, year = self._unit_and_sheet()
        lookup = {"village": unit} if isinstance(unit, Village) else {"township": unit, "village__isnull": True}
        entry = (Entry.objects.select_related("village", "township", "county", "year", "updated_by")
                 .visible_to(self.request.user).filter(year=year, pillar=sheet.pillar, **lookup).first())
        if entry is None:
            entry = services.new_entry(unit=unit, year=year, sheet=sheet)
        entry._year_settings = year_settings(year=year.year, municipality_id=unit.county.municipality_id)
        entry._api_sheet = sheet
        return entry

    def _saved_object(self) -> Entry:
        entry = self.get_object()
        if entry.pk is None:
            raise Http404("No such entry.")
        return entry

    @staticmethod
    def _with_etag(response: Response, entry: Entry) -> Response:
        response["ETag"] = f'"{entry.version}"'
        return response

    def retrieve(self, request: Request, *args, **kwargs) -> Response:
        entry = self.get_object()
        return self._with_etag(Response(self.get_serializer(entry).data), entry)

    # -- Values --------------------------------------------------------------------------------

    def _data_response(self, entry: Entry, sheet: PillarSheet) -> Response:
        payload = {"entry": s.EntrySerializer(entry, context=self.get_serializer_context()).data,
                   **s.sheet_data(entry, sheet)}
        return self._with_etag(Response(payload), entry)

    @extend_schema(methods=["GET"], summary="An entry's pillar values", responses={200: s.SheetDataSerializer})
    @extend_schema(methods=["PUT", "PATCH"], summary="Change an entry's pillar values", request=s.SheetWriteSerializer,
                   parameters=[IF_MATCH], responses={200: s.SheetDataSerializer, **ENTRY_RESPONSES})
    @action(detail=True, methods=["get", "put", "patch"])
    def data(self, request: Request, *args, **kwargs) -> Response:
        entry = self.get_object()
        sheet = entry._api_sheet
        if request.method == "GET":
            return self._data_response(entry, sheet)
        version = expected_version(request)
        sheet_input = parse_sheet_input(request.data, sheet, replace=request.method == "PUT")
        try:
            services.entry_save(entry=entry, actor=request.user, expected_version=version, data=sheet_input,
                                source=ChangeSource.API)
        except services.StaleEntry as stale:
            raise PreconditionFailed(str(stale)) from None
        return self._data_response(self._refreshed(entry), sheet)

    def _refreshed(self, entry: Entry) -> Entry:
        fresh = Entry.objects.select_related("village", "township", "county").get(pk=entry.pk)
        fresh._year_settings = entry._year_settings
        return fresh

    # -- History -------------------------------------------------------------------------------

    @extend_schema(summary="An entry's history", responses={200: s.ChangeSerializer(many=True)}, filters=False)
    @action(detail=True, methods=["get"], filterset_class=None, ordering_fields=[])
    def history(self, request: Request, *args, **kwargs) -> Response:
        entry = self._saved_object()
        changes = Change.objects.visible_to(request.user).filter(entry=entry).select_related("actor").order_by("-at",
                                                                                                             "-pk")
        page = self.paginate_queryset(changes)
        return self.get_paginated_response(s.ChangeSerializer(page, many=True).data)

    # -- Workflow ------------------------------------------------------------------------------

    def _workflow(self, request: Request, step: str) -> Response:
        entry = self._saved_object()
        version = expected_version(request)
        body = s.WorkflowSerializer(data=request.data if isinstance(request.data, dict) else {})
        body.is_valid(raise_exception=True)
        comment = body.validated_data.get("comment", "")
        common = {"expected_version": version, "source": ChangeSource.API}
        steps = {
            "submit": lambda: services.entry_submit(entry=entry, actor=request.user, **common),
            "approve": lambda: services.entry_approve(entry=entry, actor=request.user, comment=comment, **common),
            "return": lambda: services.entry_return(entry=entry, actor=request.user, comment=comment, **common),
            "reopen": lambda: services.entry_reopen(entry=entry, actor=request.user, reason=comment, **common),
        }
        try:
            steps[step]()
        except services.StaleEntry as stale:
            raise PreconditionFailed(str(stale)) from None
        except ValidationError as invalid:
            raise exceptions.ValidationError({"comment": invalid.messages}) from None
        fresh = self._refreshed(entry)
        return self._with_etag(Response(s.EntrySerializer(fresh, context=self.get_serializer_context()).data), fresh)

    workflow_schema = {"request": s.WorkflowSerializer, "parameters": [IF_MATCH],
                       "responses": {200: s.EntrySerializer, **ENTRY_RESPONSES}, "filters": False}

    @extend_schema(summary="Submit the entry for review (the township's clerk)", **workflow_schema)
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, *args, **kwargs) -> Response:
        return self._workflow(request, "submit")

    @extend_schema(summary="Approve a submitted entry (the county's reviewer)", **workflow_schema)
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, *args, **kwargs) -> Response:
        return self._workflow(request, "approve")

    @extend_schema(summary="Return a submitted entry with a comment (the county's reviewer)", **workflow_schema)
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_entry(self, request: Request, *args, **kwargs) -> Response:
        return self._workflow(request, "return")

    @extend_schema(summary="Reopen an approved entry, giving the reason (the county's reviewer)", **workflow_schema)
    @action(detail=True, methods=["post"])
    def reopen(self, request: Request, *args, **kwargs) -> Response:
        return self._workflow(request, "reopen")


def _is_scalar(value: Any) -> bool:
    return value is None or isinstance(value, str | int | float | bool)


def _field_value(value: Any) -> bool:
    return _is_scalar(value) or (isinstance(value, list) and all(_is_scalar(v) for v in value))


def parse_sheet_input(data: Any, sheet: PillarSheet, *, replace: bool) -> SheetInput:
    """The request body as the services take it; only its shape is checked here — every rule on
    the values is the services' (validation.py), so the API says what the forms say."""
    errors: dict[str, list[str]] = {}
    if not isinstance(data, dict):
        raise exceptions.ValidationError({"non_field_errors": [_("Send a JSON object.")]})
    unknown = sorted(set(data) - {"profile", "records", "flag_explanation"})
    for name in unknown:
        errors[name] = [_("%(field)s is not a field of this sheet.") % {"field": name}]
    profile = data.get("profile") or {}
    if not isinstance(profile, dict):
        errors["profile"] = [_("Send the profile as an object of fields.")]
        profile = {}
    for name, value in profile.items():
        if not _field_value(value):
            errors[f"profile.{name}"] = [_("Enter a single value.")]
    if replace:
        profile = {name: profile.get(name) for name in sheet.profile_fields} | profile
    records_in = data.get("records") or {}
    if not isinstance(records_in, dict):
        errors["records"] = [_("Send the record lists as an object of lists.")]
        records_in = {}
    records: dict[str, RecordRows] = {}
    for prefix, sent in records_in.items():
        rows, delete = (sent, []) if isinstance(sent, list) else (
            (sent.get("rows", []), sent.get("delete", [])) if isinstance(sent, dict) else (None, None))
        if (not isinstance(rows, list) or not isinstance(delete, list)
                or not all(isinstance(r, dict) and all(_field_value(v) for v in r.values()) for r in rows)
                or not all(_is_scalar(d) for d in delete) or len(rows) > MAX_RECORDS_PER_LIST):
            errors[f"records.{prefix}"] = [_("Send a list of rows (objects of fields), or {rows, delete}.")]
            continue
        records[str(prefix)] = RecordRows(rows=rows, delete=delete, replace=replace)
    if replace:
        for record_sheet in sheet.records:
            records.setdefault(record_sheet.prefix, RecordRows(rows=[], replace=True))
    explanation = data.get("flag_explanation")
    if explanation is not None and not isinstance(explanation, str):
        errors["flag_explanation"] = [_("Enter text.")]
    if errors:
        raise exceptions.ValidationError(errors)
    return SheetInput(profile=profile, records=records, flag_explanation=explanation)


# --- Scorecards, scheme, nominations, county income --------------------------------------------


class VillageScorecardViewSet(ScopedReadOnlyViewSet):
    """Village scorecards (stored by the roll-up): pillar scores, total, grade, vetoes; one
    scorecard also lists its indicator scores. Key: /<village code>/<year>/."""

    queryset = VillageScorecard.objects.select_related("village", "township", "county", "municipality")
    serializer_class = s.VillageScorecardSerializer
    filterset_class = VillageScorecardFilter
    lookup_url_kwarg = "code"
    lookup_value_regex = key("[0-9]{12}", YEAR)
    ordering_fields = ["total", "rank", "grade", "village__code", "year"]
    ordering = ["year_id", "village__code"]

    def get_serializer_class(self):
        return s.VillageScorecardDetailSerializer if self.action == "retrieve" else super().get_serializer_class()

    def get_object(self):
        return get_visible_or_404(self.get_queryset(), self.request.user,
                                  village_id=pk_of(Village, self.kwargs["code"]), year_id=int(self.kwargs["year"]))


class _UnitScorecardViewSet(ScopedReadOnlyViewSet):
    unit_field: str
    ordering_fields = ["rank", "mean_total", "year"]

    def get_object(self):
        unit_model = self.queryset.model._meta.get_field(self.unit_field).related_model
        return get_visible_or_404(self.get_queryset(), self.request.user,
                                  **{f"{self.unit_field}_id": pk_of(unit_model, self.kwargs["code"])},
                                  year_id=int(self.kwargs["year"]))


class TownshipScorecardViewSet(_UnitScorecardViewSet):
    """Township scorecards: means, grade counts, rank. Key: /<township code>/<year>/."""

    unit_field = "township"
    queryset = TownshipScorecard.objects.select_related("township", "county", "municipality")
    serializer_class = s.TownshipScorecardSerializer
    filterset_class = TownshipScorecardFilter
    lookup_url_kwarg = "code"
    lookup_value_regex = key("[0-9]{9}", YEAR)
    ordering = ["year_id", "township__code"]


class CountyScorecardViewSet(_UnitScorecardViewSet):
    """County scorecards. Key: /<county code>/<year>/."""

    unit_field = "county"
    queryset = CountyScorecard.objects.select_related("county", "municipality")
    serializer_class = s.CountyScorecardSerializer
    filterset_class = CountyScorecardFilter
    lookup_url_kwarg = "code"
    lookup_value_regex = key("[0-9]{6}", YEAR)
    ordering = ["year_id", "county__code"]


class MunicipalScorecardViewSet(_UnitScorecardViewSet):
    """Municipal scorecards. Key: /<municipality code>/<year>/."""

    unit_field = "municipality"
    queryset = MunicipalScorecard.objects.select_related("municipality")
    serializer_class = s.MunicipalScorecardSerializer
    filterset_class = MunicipalScorecardFilter
    lookup_url_kwarg = "code"
    lookup_value_regex = key("[0-9]{6}", YEAR)
    ordering = ["year_id", "municipality__code"]


class SchemeViewSet(ScopedReadOnlyViewSet):
    """The year's scoring scheme of a municipality (read-only). Key: /<municipality code>/<year>/."""

    queryset = Scheme.objects.select_related("municipality").prefetch_related(
        Prefetch("indicators", queryset=SchemeIndicator.objects.order_by("position", "code")), "vetoes")
    serializer_class = s.SchemeSerializer
    filterset_class = SchemeFilter
    lookup_url_kwarg = "code"
    lookup_value_regex = key("[0-9]{6}", YEAR)
    ordering_fields = ["year"]
    ordering = ["municipality__code", "-year"]

    def get_queryset(self):
        # Scheme's scope paths join through counties: one row per scheme all the same.
        return super().get_queryset().distinct()

    def get_object(self):
        return get_visible_or_404(self.get_queryset(), self.request.user,
                                  municipality_id=pk_of(Municipality, self.kwargs["code"]),
                                  year_id=int(self.kwargs["year"]))


class NominationViewSet(ScopedReadOnlyViewSet):
    """Demonstration-village nominations and their decisions. Key: /<village code>/<year>/."""

    queryset = DemonstrationNomination.objects.select_related("village__township", "village__county")
    serializer_class = s.NominationSerializer
    filterset_class = NominationFilter
    lookup_url_kwarg = "code"
    lookup_value_regex = key("[0-9]{12}", YEAR)
    ordering_fields = ["year", "status", "village__code"]
    ordering = ["year_id", "village__code"]

    def get_object(self):
        return get_visible_or_404(self.get_queryset(), self.request.user,
                                  village_id=pk_of(Village, self.kwargs["code"]), year_id=int(self.kwargs["year"]))


class CountyIncomeViewSet(ScopedReadOnlyViewSet):
    """Counties' rural per-capita income, the base of the pay standard. Key: /<county code>/<year>/."""

    queryset = CountyIncome.objects.select_related("county__municipality")
    serializer_class = s.CountyIncomeSerializer
    filterset_class = CountyIncomeFilter
    lookup_url_kwarg = "code"
    lookup_value_regex = key("[0-9]{6}", YEAR)
    ordering_fields = ["year", "rural_income_per_capita"]
    ordering = ["-year_id", "county__code"]

    def get_object(self):
        return get_visible_or_404(self.get_queryset(), self.request.user,
                                  county_id=pk_of(County, self.kwargs["code"]), year_id=int(self.kwargs["year"]))
