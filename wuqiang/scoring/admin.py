"""Admin for operators to look things up: schemes (edited by municipal staff on the portal
through the scheme service), runs, nominations and results (written by the roll-up). Nothing
here is changed in the admin."""

from django.contrib import admin

from wuqiang.entries.admin import ReadOnlyAdmin
from wuqiang.scoring.models import (
    CountyScorecard,
    DemonstrationNomination,
    MunicipalScorecard,
    RollupRun,
    Scheme,
    SchemeIndicator,
    SchemeVeto,
    TownshipScorecard,
    VillageScorecard,
)


class ReadOnlyInline(admin.TabularInline):
    extra = 0

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class SchemeIndicatorInline(ReadOnlyInline):
    model = SchemeIndicator
    fields = ("position", "code", "pillar", "name", "rule", "params", "points")


class SchemeVetoInline(ReadOnlyInline):
    model = SchemeVeto


@admin.register(Scheme)
class SchemeAdmin(ReadOnlyAdmin):
    list_display = ("municipality", "year", "copied_from", "exemplary_total", "pass_total", "basic_total",
                    "updated_at")
    list_filter = ("municipality", "year")
    inlines = [SchemeIndicatorInline, SchemeVetoInline]


@admin.register(RollupRun)
class RollupRunAdmin(ReadOnlyAdmin):
    list_display = ("pk", "municipality", "year", "county", "state", "progress", "created_at", "finished_at",
                    "triggered_by")
    list_filter = ("state", "municipality", "year")


@admin.register(DemonstrationNomination)
class DemonstrationNominationAdmin(ReadOnlyAdmin):
    list_display = ("year", "village", "status", "decided_by", "decided_at")
    list_filter = ("year", "status")
    raw_id_fields = ("village",)


class ReadOnlyScorecardAdmin(ReadOnlyAdmin):
    """Scorecards are written only by the roll-up."""

    list_filter = ("year",)


@admin.register(VillageScorecard)
class VillageScorecardAdmin(ReadOnlyScorecardAdmin):
    list_display = ("year", "village", "total", "grade", "vetoes", "approved_pillars", "rank")
    list_filter = ("year", "grade")
    list_select_related = ("village",)
    search_fields = ("village__code", "village__name")


@admin.register(TownshipScorecard)
class TownshipScorecardAdmin(ReadOnlyScorecardAdmin):
    list_display = ("year", "township", "villages", "mean_total", "rank", "total_change")
    list_select_related = ("township",)


@admin.register(CountyScorecard)
class CountyScorecardAdmin(ReadOnlyScorecardAdmin):
    list_display = ("year", "county", "villages", "mean_total", "rank", "total_change")
    list_select_related = ("county",)


@admin.register(MunicipalScorecard)
class MunicipalScorecardAdmin(ReadOnlyScorecardAdmin):
    list_display = ("year", "municipality", "villages", "mean_total", "n_exemplary", "total_change")
    list_select_related = ("municipality",)
