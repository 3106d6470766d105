from django.contrib import admin

from talent.models import Cadre, SentDown, TalentProfile, Trainee
from wuqiang.entries.admin import ProfileAdmin, RecordAdmin

PERSON_SEARCH = [*RecordAdmin.search_fields, "name"]


@admin.register(TalentProfile)
class TalentProfileAdmin(ProfileAdmin):
    list_display = ["entry", "secretary_training_hours"]


@admin.register(Cadre)
class CadreAdmin(RecordAdmin):
    list_display = ["name", "entry", "post", "gender", "birth_year", "education", "monthly_pay", "from_reserve_pool"]
    list_filter = [*RecordAdmin.list_filter, "post", "education", "from_reserve_pool"]
    search_fields = PERSON_SEARCH


@admin.register(SentDown)
class SentDownAdmin(RecordAdmin):
    list_display = ["name", "entry", "kind", "sending_unit", "start_date", "end_date"]
    list_filter = [*RecordAdmin.list_filter, "kind"]
    search_fields = [*PERSON_SEARCH, "sending_unit"]


@admin.register(Trainee)
class TraineeAdmin(RecordAdmin):
    list_display = ["name", "entry", "kind", "source", "now_cadre"]
    list_filter = [*RecordAdmin.list_filter, "kind", "source", "now_cadre"]
    search_fields = PERSON_SEARCH
