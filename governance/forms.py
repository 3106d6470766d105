"""Entry form for 治理能力强."""

from __future__ import annotations

from governance.models import GovernanceProfile
from wuqiang.entries.forms import ProfileForm
from wuqiang.entries.validators import formfield_with_model_limits


class GovernanceProfileForm(ProfileForm):
    class Meta:
        model = GovernanceProfile
        fields = (
            "rules_revised_filed", "council_villagers", "council_ceremonies", "council_morality",
            "tool_points", "tool_red_black", "tool_stewards", "other_tools",
            "households_visited", "disputes", "disputes_resolved",
            "one_stop_service", "model_selection_held", "major_incident",
        )
        formfield_callback = formfield_with_model_limits
