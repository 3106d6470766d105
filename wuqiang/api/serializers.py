"""What the API shows: codes as natural keys (never database ids), values as stored."""

from __future__ import annotations

import copy
from functools import cache
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from support.models import CountyIncome
from wuqiang.entries.models import Change, Entry
from wuqiang.entries.registry import PillarSheet, sheet_for_entry
from wuqiang.regions.models import AssessmentYear, County, Municipality, Township, Village
from wuqiang.scoring.models import (
    CountyScorecard,
    DemonstrationNomination,
    MunicipalScorecard,
    Scheme,
    SchemeIndicator,
    SchemeVeto,
    TownshipScorecard,
    VillageIndicatorScore,
    VillageScorecard,
)

_FIELDS: dict[type, dict] = {}


class FastModelSerializer(serializers.ModelSerializer):
    """A ModelSerializer that introspects its model once per class, not once per request (the
    introspection was a sixth of a single scorecard's time); each instance gets a copy."""

    def get_fields(self):
        prototype = _FIELDS.get(type(self))
        if prototype is None:
            prototype = _FIELDS[type(self)] = super().get_fields()
        return copy.deepcopy(prototype)


def code_field(source: str | None = None) -> serializers.SlugRelatedField:
    """A related unit shown by its division code."""
    extra = {"source": source} if source else {}
    return serializers.SlugRelatedField(slug_field="code", read_only=True, **extra)


# --- The hierarchy ----------------------------------------------------------------------------


class MunicipalitySerializer(FastModelSerializer):
    class Meta:
        model = Municipality
        fields = ["code", "name"]


class CountySerializer(FastModelSerializer):
    municipality = code_field()

    class Meta:
        model = County
        fields = ["code", "name", "municipality"]


class TownshipSerializer(FastModelSerializer):
    county = code_field()
    municipality = code_field("county.municipality")

    class Meta:
        model = Township
        fields = ["code", "name", "county", "municipality"]


class VillageSerializer(FastModelSerializer):
    township = code_field()
    county = code_field()
    municipality = code_field("county.municipality")

    class Meta:
        model = Village
        fields = ["code", "name", "township", "county", "municipality"]


class YearSerializer(FastModelSerializer):
    state = serializers.SerializerMethodField(help_text="The state of the year in the caller's municipality.")

    class Meta:
        model = AssessmentYear
        fields = ["year", "state"]

    @extend_schema_field(serializers.ChoiceField(choices=["open", "closed", "published"], allow_null=True))
    def get_state(self, obj: AssessmentYear) -> str | None:
        return self.context.get("year_states", {}).get(obj.year)


# --- Entries ----------------------------------------------------------------------------------


class EntrySerializer(FastModelSerializer):
    unit = serializers.SerializerMethodField()
    level = serializers.SerializerMethodField()
    sheet = serializers.SerializerMethodField()
    year = serializers.IntegerField(source="year_id", read_only=True)
    village = code_field()
    township = code_field()
    county = code_field()
    flagged = serializers.SerializerMethodField()

    class Meta:
        model = Entry
        fields = ["unit", "level", "year", "pillar", "sheet", "village", "township", "county", "state", "version",
                  "is_complete", "flagged", "quality_flags", "flag_explanation", "review_comment", "updated_at",
                  "submitted_at", "reviewed_at"]
        read_only_fields = fields

    def get_unit(self, obj: Entry) -> str:
        return obj.village.code if obj.village_id else obj.township.code

    @extend_schema_field(serializers.ChoiceField(choices=["village", "township"]))
    def get_level(self, obj: Entry) -> str:
        return "village" if obj.village_id else "township"

    def get_sheet(self, obj: Entry) -> str:
        return sheet_for_entry(obj).slug

    def get_flagged(self, obj: Entry) -> bool:
        return bool(obj.quality_flags)


@cache
def profile_serializer(sheet: PillarSheet) -> type[FastModelSerializer]:
    """A read serializer of the sheet's profile, made from the registry (the form's fields)."""
    meta = type("Meta", (), {"model": sheet.profile_model, "fields": list(sheet.profile_fields)})
    return type(f"{sheet.profile_model.__name__}Serializer", (FastModelSerializer,), {"Meta": meta})


@cache
def record_serializer(record_sheet) -> type[FastModelSerializer]:
    meta = type("Meta", (), {"model": record_sheet.model, "fields": ["id", *record_sheet.fields]})
    return type(f"{record_sheet.model.__name__}Serializer", (FastModelSerializer,), {"Meta": meta})


def sheet_data(entry: Entry, sheet: PillarSheet) -> dict[str, Any]:
    """An entry's values: the profile and every record list, generically from the registry."""
    profile = sheet.profile_model.objects.filter(entry=entry).first() if entry.pk else None
    records = {}
    for record_sheet in sheet.records:
        rows = record_sheet.model.objects.filter(entry=entry).order_by("pk") if entry.pk else []
        records[record_sheet.prefix] = record_serializer(record_sheet)(rows, many=True).data
    return {
        "profile": profile_serializer(sheet)(profile).data if profile is not None else None,
        "records": records,
    }


class SheetDataSerializer(serializers.Serializer):
    """An entry with its pillar values (schema only; built by ``sheet_data``)."""

    entry = EntrySerializer()
    profile = serializers.DictField(allow_null=True, help_text="The profile's fields as the sheet's form has them.")
    records = serializers.DictField(
        child=serializers.ListField(child=serializers.DictField()),
        help_text="Each record list by its name: rows with their id and fields.")


class RecordRowsSerializer(serializers.Serializer):
    rows = serializers.ListField(child=serializers.DictField(), required=False,
                                 help_text="Rows with an id change that row; rows without add one.")
    delete = serializers.ListField(child=serializers.IntegerField(), required=False,
                                   help_text="Ids of rows to remove.")


class SheetWriteSerializer(serializers.Serializer):
    """A change to an entry's values. PATCH: profile fields given and record lists given change;
    the rest stays. PUT: the whole sheet; profile fields left out are emptied and each record
    list is replaced by the rows given."""

    profile = serializers.DictField(required=False, help_text="Profile fields and their values.")
    records = serializers.DictField(child=RecordRowsSerializer(), required=False,
                                    help_text="Record lists by name: {rows, delete}.")
    flag_explanation = serializers.CharField(required=False, allow_blank=True, max_length=4000,
                                             help_text="Your explanation of values flagged against last year.")


class WorkflowSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, max_length=4000,
                                    help_text="The reviewer's comment (return: required; reopen: the reason).")


class ChangeSerializer(FastModelSerializer):
    actor = serializers.SerializerMethodField()

    class Meta:
        model = Change
        fields = ["at", "actor", "action", "source", "object_type", "object_id", "object_repr", "changes",
                  "comment"]

    def get_actor(self, obj: Change) -> str | None:
        return obj.actor.display_name if obj.actor_id and obj.actor else None


# --- Scoring ----------------------------------------------------------------------------------


class IndicatorScoreSerializer(FastModelSerializer):
    class Meta:
        model = VillageIndicatorScore
        # denominator: a ratio's base (value × denominator is the count behind it), NULL otherwise.
        fields = ["code", "pillar", "value", "denominator", "points", "basis", "reference"]


SCORE_FIELDS = ["organizations", "talent", "economy", "governance", "support", "total", "grade", "approved_pillars",
                "rank", "total_change", "computed_at"]


class VillageScorecardSerializer(FastModelSerializer):
    year = serializers.IntegerField(source="year_id", read_only=True)
    village = code_field()
    township = code_field()
    county = code_field()
    municipality = code_field()
    vetoes = serializers.SerializerMethodField()

    class Meta:
        model = VillageScorecard
        fields = ["year", "village", "township", "county", "municipality", *SCORE_FIELDS, "vetoes"]

    def get_vetoes(self, obj: VillageScorecard) -> list[str]:
        return obj.veto_codes


class VillageScorecardDetailSerializer(VillageScorecardSerializer):
    indicators = serializers.SerializerMethodField()

    class Meta(VillageScorecardSerializer.Meta):
        fields = [*VillageScorecardSerializer.Meta.fields, "indicators"]

    @extend_schema_field(IndicatorScoreSerializer(many=True))
    def get_indicators(self, obj: VillageScorecard):
        scores = VillageIndicatorScore.objects.filter(year_id=obj.year_id, village_id=obj.village_id).order_by("code")
        return IndicatorScoreSerializer(scores, many=True).data


UNIT_SCORE_FIELDS = ["villages", "mean_total", "mean_organizations", "mean_talent", "mean_economy", "mean_governance",
                     "mean_support", "n_exemplary", "n_pass", "n_basic", "n_fail", "mean_completeness",
                     "veto_villages", "rank", "total_change", "computed_at"]


class TownshipScorecardSerializer(FastModelSerializer):
    year = serializers.IntegerField(source="year_id", read_only=True)
    township = code_field()
    county = code_field()
    municipality = code_field()

    class Meta:
        model = TownshipScorecard
        fields = ["year", "township", "county", "municipality", *UNIT_SCORE_FIELDS]


class CountyScorecardSerializer(FastModelSerializer):
    year = serializers.IntegerField(source="year_id", read_only=True)
    county = code_field()
    municipality = code_field()

    class Meta:
        model = CountyScorecard
        fields = ["year", "county", "municipality", *UNIT_SCORE_FIELDS]


class MunicipalScorecardSerializer(FastModelSerializer):
    year = serializers.IntegerField(source="year_id", read_only=True)
    municipality = code_field()

    class Meta:
        model = MunicipalScorecard
        fields = ["year", "municipality", *UNIT_SCORE_FIELDS]


class SchemeIndicatorSerializer(FastModelSerializer):
    class Meta:
        model = SchemeIndicator
        fields = ["code", "pillar", "name", "rule", "params", "points", "position"]


class SchemeVetoSerializer(FastModelSerializer):
    class Meta:
        model = SchemeVeto
        fields = ["code", "enabled"]


class SchemeSerializer(FastModelSerializer):
    year = serializers.IntegerField(source="year_id", read_only=True)
    municipality = code_field()
    indicators = SchemeIndicatorSerializer(many=True, read_only=True)
    vetoes = SchemeVetoSerializer(many=True, read_only=True)

    class Meta:
        model = Scheme
        fields = ["year", "municipality", "pillar_total", "exemplary_total", "exemplary_pillar_min", "pass_total",
                  "basic_total", "updated_at", "indicators", "vetoes"]


class NominationSerializer(FastModelSerializer):
    year = serializers.IntegerField(source="year_id", read_only=True)
    village = code_field()
    township = code_field("village.township")
    county = code_field("village.county")

    class Meta:
        model = DemonstrationNomination
        fields = ["year", "village", "township", "county", "status", "decided_at", "note", "proposed_at"]


class CountyIncomeSerializer(FastModelSerializer):
    year = serializers.IntegerField(source="year_id", read_only=True)
    county = code_field()
    municipality = code_field("county.municipality")

    class Meta:
        model = CountyIncome
        fields = ["year", "county", "municipality", "rural_income_per_capita", "updated_at"]


