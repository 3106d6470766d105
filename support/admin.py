from django.contrib import admin

from support.models import CountyIncome, SupportProfile, TownshipFacilities
from wuqiang.entries.admin import ProfileAdmin, ReadOnlyAdmin


@admin.register(SupportProfile)
class SupportProfileAdmin(ProfileAdmin):
    list_display = ["entry", "secretary_annual_pay", "months_paid_on_time", "venue_area", "venue_standardised"]


@admin.register(TownshipFacilities)
class TownshipFacilitiesAdmin(ProfileAdmin):
    list_display = ["entry", "canteen", "toilet", "bathhouse", "library", "activity_room", "turnover_housing",
                    "civil_posts", "civil_posts_filled"]
    search_fields = ["entry__township__name", "entry__township__code"]


@admin.register(CountyIncome)
class CountyIncomeAdmin(ReadOnlyAdmin):
    """Kept on the county's income page through the service (permissions, published years)."""

    list_display = ["county", "year", "rural_income_per_capita", "updated_at", "updated_by"]
    list_filter = ["year", "county__municipality"]
    list_select_related = ["county", "updated_by"]
    search_fields = ["county__name", "county__code"]
