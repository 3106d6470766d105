from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from wuqiang.accounts import permissions
from wuqiang.regions import services
from wuqiang.regions.models import (
    AssessmentYear,
    County,
    Municipality,
    MunicipalYear,
    Township,
    Village,
    YearState,
    YearStateChange,
)


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
    """Adding a year gives every municipality its settings for it (open, default window)."""

    list_display = ["year"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False


def _move_action(to_state: str, label):
    @admin.action(description=label)
    def move(modeladmin, request, queryset) -> None:
        for year in queryset:
            try:
                services.year_set_state(year=year, actor=request.user, to_state=to_state,
                                        note=str(_("from the administration")))
            except (permissions.NotAllowed, ValidationError) as refused:
                messages.error(request, f"{year}: {' '.join(getattr(refused, 'messages', [str(refused)]))}")
            else:
                messages.success(request, _("%(year)s is now %(state)s.") % {
                    "year": year, "state": dict(YearState.choices)[to_state]})

    move.__name__ = f"move_to_{to_state}"
    return move


class YearStateChangeInline(admin.TabularInline):
    model = YearStateChange
    extra = 0
    fields = readonly_fields = ["at", "actor", "from_state", "to_state", "note"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(MunicipalYear)
class MunicipalYearAdmin(admin.ModelAdmin):
    """The window is edited here; the state moves only through the actions, which record it."""

    list_display = ["municipality", "year", "state", "entry_opens", "entry_closes", "published_at"]
    list_filter = ["state", "year", "municipality"]
    list_select_related = ["municipality"]
    readonly_fields = ["municipality", "year", "state", "published_at"]
    inlines = [YearStateChangeInline]
    actions = [_move_action(YearState.CLOSED, _("Close the selected years")),
               _move_action(YearState.OPEN, _("Reopen the selected years")),
               _move_action(YearState.PUBLISHED, _("Publish the selected years"))]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return super().has_change_permission(request, obj) and (obj is None or not obj.is_published)
