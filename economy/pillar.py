"""The 集体经济强 sheet: one profile, no record lists."""

from django.utils.translation import gettext_lazy as _

from economy.forms import EconomyProfileForm
from economy.models import EconomyProfile
from wuqiang.entries.models import Pillar
from wuqiang.entries.quality import watch
from wuqiang.entries.registry import PillarSheet, register

SHEET = register(
    PillarSheet(
        pillar=Pillar.ECONOMY,
        profile_model=EconomyProfile,
        profile_form=EconomyProfileForm,
        required_fields=(
            "organisation_registered", "property_reform_done", "operating_income", "total_income",
            "supervisory_board", "disclosure_quarters", "township_managed_finance", "head_changed",
            "demonstration_base",
        ),
        fieldsets=(
            (_("Collective economic organisation"), ("organisation_registered", "property_reform_done",
                                                      "demonstration_base")),
            (_("Money (10,000 yuan)"), ("operating_income", "total_income", "assets", "liabilities")),
            (_("Development models"), ("development_models",)),
            (_("Supervision"), ("supervisory_board", "disclosure_quarters", "township_managed_finance",
                                "head_changed", "departure_audit_done")),
        ),
        # SPEC §6: operating income three times or a third of last year's needs a word of explanation.
        watched=(watch("operating_income", low="0.3334", high="3"), watch("total_income", low="0.3334", high="3")),
    )
)
