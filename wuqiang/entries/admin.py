"""Admin for entries and their history, and the bases every pillar's admin builds on.

Pillar data, entries, history and extensions are read-only here: every change to them goes
through the entry services (the sheet page, the upload, the API), which check permissions and
write history, version, flags and the roll-up trigger. The admin is for looking things up.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from wuqiang.entries.models import Change, Entry, EntryExtension, EntryTally


class ReadOnlyAdmin(admin.ModelAdmin):
    """An admin that shows but never adds, changes or deletes: the data has its own door."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Entry)
class EntryAdmin(ReadOnlyAdmin):
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
class ChangeAdmin(ReadOnlyAdmin):
    list_display = ["at", "actor", "action", "source", "object_repr", "entry"]
    list_filter = ["action", "source", "entry__year", "entry__pillar", "entry__county"]
    list_select_related = ["actor", "entry__village", "entry__township"]
    search_fields = ["object_repr", "comment", "entry__village__name", "actor__username"]
    date_hierarchy = "at"
    list_per_page = 50


@admin.register(EntryExtension)
class EntryExtensionAdmin(ReadOnlyAdmin):
    list_display = ["entry", "until", "reason", "granted_by", "granted_at"]
    list_filter = ["entry__year", "entry__county"]
    list_select_related = ["entry__village", "entry__township", "granted_by"]
    raw_id_fields = ["entry"]


@admin.register(EntryTally)
class EntryTallyAdmin(ReadOnlyAdmin):
    """The stored sheet counts behind the city dashboard's "still pending" line (derived)."""

    list_display = ["county", "year", "state", "entries"]
    list_filter = ["year", "state", "county__municipality"]
    list_select_related = ["county"]


class ProfileAdmin(ReadOnlyAdmin):
    """Base for a pillar profile's admin: filter by year, county and review state."""

    list_filter = ["entry__year", "entry__county", "entry__state"]
    list_select_related = ["entry__village", "entry__township"]
    search_fields = ["entry__village__name", "entry__village__code", "entry__township__name"]
    raw_id_fields = ["entry"]
    list_per_page = 50


class RecordAdmin(ReadOnlyAdmin):
    """Base for a record list's admin; subclasses add their kind/post/status filter."""

    list_filter = ["entry__year", "entry__county"]
    list_select_related = ["entry__village", "entry__township"]
    search_fields = ["entry__village__name", "entry__village__code"]
    raw_id_fields = ["entry"]
    list_per_page = 50
