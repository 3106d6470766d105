from django.contrib import admin

from organizations.models import BranchProfile, MajorMatter, Meeting, WeakCase
from wuqiang.entries.admin import ProfileAdmin, RecordAdmin


@admin.register(BranchProfile)
class BranchProfileAdmin(ProfileAdmin):
    list_display = ["entry", "org_type", "party_members", "households", "grids", "secretary_is_director"]
    list_filter = [*ProfileAdmin.list_filter, "org_type"]


@admin.register(Meeting)
class MeetingAdmin(RecordAdmin):
    list_display = ["entry", "date", "kind", "topic", "attendance"]
    list_filter = [*RecordAdmin.list_filter, "kind"]
    search_fields = [*RecordAdmin.search_fields, "topic"]
    date_hierarchy = "date"


@admin.register(MajorMatter)
class MajorMatterAdmin(RecordAdmin):
    list_display = ["entry", "date", "title", "four_deliberations", "made_public"]
    list_filter = [*RecordAdmin.list_filter, "four_deliberations", "made_public"]
    search_fields = [*RecordAdmin.search_fields, "title"]


@admin.register(WeakCase)
class WeakCaseAdmin(RecordAdmin):
    list_display = ["entry", "status", "rectified_on"]
    list_filter = [*RecordAdmin.list_filter, "status"]
    search_fields = [*RecordAdmin.search_fields, "reasons"]
