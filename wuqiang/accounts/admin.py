from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from wuqiang.accounts.models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "get_full_name", "role", "township", "county", "municipality", "is_active"]
    list_filter = ["role", "is_active", "is_staff", "county__municipality", "county"]
    list_select_related = ["township", "county", "municipality"]
    search_fields = ["username", "first_name", "last_name", "township__name", "county__name"]
    autocomplete_fields = ["township", "county", "municipality"]
    fieldsets = [
        *BaseUserAdmin.fieldsets,
        (_("Role and scope"), {"fields": ["role", "township", "county", "municipality"]}),
    ]
    add_fieldsets = [
        *BaseUserAdmin.add_fieldsets,
        (_("Role and scope"), {"fields": ["role", "township", "county", "municipality"]}),
    ]
