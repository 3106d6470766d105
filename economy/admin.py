from django.contrib import admin

from economy.models import EconomyProfile
from wuqiang.entries.admin import ProfileAdmin


@admin.register(EconomyProfile)
class EconomyProfileAdmin(ProfileAdmin):
    list_display = ["entry", "operating_income", "total_income", "organisation_registered", "supervisory_board",
                    "disclosure_quarters"]
    list_filter = [*ProfileAdmin.list_filter, "organisation_registered", "demonstration_base"]
