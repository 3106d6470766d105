"""Entry form for 治理能力强."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from governance.models import GovernanceProfile
from organizations.models import BranchProfile
from wuqiang.entries.forms import ProfileForm
from wuqiang.entries.models import Pillar
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

    def clean_households_visited(self) -> int | None:
        visited = self.cleaned_data.get("households_visited")
        if visited is None or not self.entry.village_id:
            return visited
        # The village's household count is entered once, under organisational function.
        households = (
            BranchProfile.objects.filter(
                entry__village_id=self.entry.village_id,
                entry__year_id=self.entry.year_id,
                entry__pillar=Pillar.ORGANIZATIONS,
            )
            .values_list("households", flat=True)
            .first()
        )
        if households is not None and visited > households:
            raise forms.ValidationError(
                _("Households visited cannot exceed the village's %(households)s households "
                  "(entered under organisational function).") % {"households": households}
            )
        return visited
