from django.contrib import admin

from wuqiang.regions.models import AssessmentYear, County, Municipality, Township, Village


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


@admin.register(County)
class CountyAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "municipality"]
    list_filter = ["municipality"]
    search_fields = ["code", "name"]
    list_select_related = ["municipality"]


@admin.register(Township)
class TownshipAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "county"]
    list_filter = ["county__municipality", "county"]
    search_fields = ["code", "name"]
    list_select_related = ["county"]
    autocomplete_fields = ["county"]


@admin.register(Village)
class VillageAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "township", "county"]
    list_filter = ["county__municipality", "county"]
    search_fields = ["code", "name", "township__name"]
    list_select_related = ["township", "county"]
    autocomplete_fields = ["township"]
    list_per_page = 50


@admin.register(AssessmentYear)
class AssessmentYearAdmin(admin.ModelAdmin):
    list_display = ["year", "state", "entry_opens", "entry_closes", "published_at"]
    list_filter = ["state"]
