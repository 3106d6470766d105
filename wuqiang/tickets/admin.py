"""Tickets in the admin, read-only: they change only through the ticket services (pages, API)."""

from django.contrib import admin

from wuqiang.entries.admin import ReadOnlyAdmin
from wuqiang.tickets.models import Ticket, TicketAttachment, TicketEvent


class TicketEventInline(admin.TabularInline):
    model = TicketEvent
    fields = ["at", "actor", "action", "comment", "old_deadline", "new_deadline"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Ticket)
class TicketAdmin(ReadOnlyAdmin):
    list_display = ["pk", "title", "county", "township", "village", "state", "deadline", "issuer", "issued_at"]
    list_filter = ["state", "category", "severity", "county"]
    list_select_related = ["county", "township", "village", "issuer"]
    search_fields = ["title", "problem", "village__name", "township__name", "county__name"]
    raw_id_fields = ["municipality", "county", "township", "village", "entry", "issuer", "answered_by"]
    inlines = [TicketEventInline]
    list_per_page = 50


@admin.register(TicketAttachment)
class TicketAttachmentAdmin(ReadOnlyAdmin):
    list_display = ["original_name", "ticket", "kind", "size", "uploaded_by", "uploaded_at"]
    raw_id_fields = ["ticket", "uploaded_by"]
    exclude = ["file"]  # downloaded only through the portal's scoped view
