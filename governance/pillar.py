"""The 治理能力强 sheet: one profile, no record lists."""

from django.utils.translation import gettext_lazy as _

from governance.forms import GovernanceProfileForm
from governance.models import GovernanceProfile
from wuqiang.entries.models import Pillar
from wuqiang.entries.registry import PillarSheet, register
from wuqiang.entries.rules import AtMostAcrossSheets, FieldOf, across_sheets

SHEET = register(
    PillarSheet(
        pillar=Pillar.GOVERNANCE,
        profile_model=GovernanceProfile,
        profile_form=GovernanceProfileForm,
        required_fields=(
            "rules_revised_filed", "council_villagers", "council_ceremonies", "council_morality",
            "tool_points", "tool_red_black", "tool_stewards", "households_visited", "disputes",
            "disputes_resolved", "one_stop_service", "model_selection_held", "major_incident",
        ),
        fieldsets=(
            (_("Village rules and councils"), ("rules_revised_filed", "council_villagers", "council_ceremonies",
                                                "council_morality")),
            (_("Micro-governance"), ("tool_points", "tool_red_black", "tool_stewards", "other_tools")),
            (_("Visits and disputes"), ("households_visited", "disputes", "disputes_resolved")),
            (_("Services and conduct"), ("one_stop_service", "model_selection_held", "major_incident")),
        ),
    )
)

# 大走访 visits at most every household; the household count is entered once, under organisations.
across_sheets(AtMostAcrossSheets(
    part=FieldOf(Pillar.GOVERNANCE, "households_visited"),
    whole=FieldOf(Pillar.ORGANIZATIONS, "households"),
    part_message=_("Households visited cannot exceed the village's %(whole)s households "
                   "(entered under organisational function)."),
    whole_message=_("Households cannot be fewer than the %(part)s households visited "
                    "(entered under governance)."),
))
