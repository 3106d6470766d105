"""The 要素保障强 sheets: the village profile, and the township-level facilities sheet."""

from django.utils.translation import gettext_lazy as _

from support.forms import SupportProfileForm, TownshipFacilitiesForm
from support.models import SupportProfile, TownshipFacilities
from wuqiang.entries.models import Pillar
from wuqiang.entries.registry import PillarSheet, register
from wuqiang.regions.models import Level

SHEET = register(
    PillarSheet(
        pillar=Pillar.SUPPORT,
        profile_model=SupportProfile,
        profile_form=SupportProfileForm,
        required_fields=(
            "secretary_annual_pay", "months_paid_on_time", "venue_area", "venue_standardised",
            "paid_leave", "health_checkup",
        ),
        fieldsets=(
            (_("Secretary's pay"), ("secretary_annual_pay", "months_paid_on_time")),
            (_("Village venue"), ("venue_area", "venue_standardised")),
            (_("Care"), ("paid_leave", "health_checkup")),
        ),
    )
)

TOWNSHIP_SHEET = register(
    PillarSheet(
        pillar=Pillar.SUPPORT,
        profile_model=TownshipFacilities,
        profile_form=TownshipFacilitiesForm,
        level=Level.TOWNSHIP,
        title=_("Township facilities"),
        required_fields=(
            "canteen", "toilet", "bathhouse", "library", "activity_room", "turnover_housing",
            "civil_posts", "civil_posts_filled",
        ),
        fieldsets=(
            (_("The five smalls and turnover housing"), ("canteen", "toilet", "bathhouse", "library",
                                                         "activity_room", "turnover_housing")),
            (_("Civil-service posts"), ("civil_posts", "civil_posts_filled")),
        ),
    )
)
