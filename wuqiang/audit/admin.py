from django.contrib import admin

from wuqiang.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the log is written by the portal, never by hand."""

    list_display = ["occurred_at", "kind", "actor_username", "ip_address", "object_type", "object_repr", "path"]
    list_filter = ["kind", "occurred_at"]
    search_fields = ["actor_username", "ip_address", "object_repr", "path"]
    date_hierarchy = "occurred_at"
    readonly_fields = [f.name for f in AuditEvent._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
