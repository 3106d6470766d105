from django.contrib import admin

from governance.models import GovernanceProfile
from wuqiang.entries.admin import ProfileAdmin


@admin.register(GovernanceProfile)
class GovernanceProfileAdmin(ProfileAdmin):
    list_display = ["entry", "rules_revised_filed", "households_visited", "disputes", "disputes_resolved",
                    "major_incident"]
    list_filter = [*ProfileAdmin.list_filter, "major_incident"]
