"""Admin for operators: schemes (edited by municipal staff on the portal), runs and results."""

from django.contrib import admin

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


class SchemeIndicatorInline(admin.TabularInline):
    model = SchemeIndicator
    extra = 0
    fields = ("position", "code", "pillar", "name", "rule", "params", "points")


class SchemeVetoInline(admin.TabularInline):
    model = SchemeVeto
    extra = 0


@admin.register(Scheme)
class SchemeAdmin(admin.ModelAdmin):
    list_display = ("year", "copied_from", "exemplary_total", "pass_total", "basic_total", "updated_at")
    inlines = [SchemeIndicatorInline, SchemeVetoInline]


@admin.register(RollupRun)
class RollupRunAdmin(admin.ModelAdmin):
    list_display = ("pk", "year", "county", "state", "progress", "created_at", "finished_at", "triggered_by")
    list_filter = ("state", "year")
    readonly_fields = [f.name for f in RollupRun._meta.fields]


@admin.register(DemonstrationNomination)
class DemonstrationNominationAdmin(admin.ModelAdmin):
    list_display = ("year", "village", "status", "decided_by", "decided_at")
    list_filter = ("year", "status")
    raw_id_fields = ("village",)


class ReadOnlyScorecardAdmin(admin.ModelAdmin):
    """Scorecards are written only by the roll-up."""

    list_filter = ("year",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


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
