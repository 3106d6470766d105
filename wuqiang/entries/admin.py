"""Admin for entries and their history, and the bases every pillar's admin builds on.

Workflow fields are read-only here: moving an entry between states goes through the services
so the history stays complete.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from wuqiang.entries.models import Change, Entry


@admin.register(Entry)
class EntryAdmin(admin.ModelAdmin):
    list_display = ["unit_name", "pillar", "year", "state", "version", "is_complete", "updated_at"]
    list_filter = ["year", "pillar", "state", "county"]
    list_select_related = ["village", "township"]
    search_fields = ["village__name", "village__code", "township__name", "township__code"]
    raw_id_fields = ["village", "township", "county"]
    readonly_fields = [
        "state", "version", "is_complete", "updated_at", "updated_by", "submitted_at", "submitted_by",
        "reviewed_at", "reviewed_by", "approved_snapshot",
    ]
    list_per_page = 50

    @admin.display(description=_("unit"))
    def unit_name(self, obj: Entry) -> str:
        return str(obj.unit)


@admin.register(Change)
class ChangeAdmin(admin.ModelAdmin):
    list_display = ["at", "actor", "action", "object_repr", "entry"]
    list_filter = ["action", "entry__year", "entry__pillar", "entry__county"]
    list_select_related = ["actor", "entry__village", "entry__township"]
    search_fields = ["object_repr", "comment", "entry__village__name", "actor__username"]
    date_hierarchy = "at"
    list_per_page = 50

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ProfileAdmin(admin.ModelAdmin):
    """Base for a pillar profile's admin: filter by year, county and review state."""

    list_filter = ["entry__year", "entry__county", "entry__state"]
    list_select_related = ["entry__village", "entry__township"]
    search_fields = ["entry__village__name", "entry__village__code", "entry__township__name"]
    raw_id_fields = ["entry"]
    list_per_page = 50


class RecordAdmin(admin.ModelAdmin):
    """Base for a record list's admin; subclasses add their kind/post/status filter."""

    list_filter = ["entry__year", "entry__county"]
    list_select_related = ["entry__village", "entry__township"]
    search_fields = ["entry__village__name", "entry__village__code"]
    raw_id_fields = ["entry"]
    list_per_page = 50
