"""Entry forms for 组织功能强: the branch profile and its three record lists."""

from __future__ import annotations

from django import forms

from organizations.models import BranchProfile, MajorMatter, Meeting, WeakCase
from wuqiang.entries.forms import ProfileForm, RecordForm
from wuqiang.entries.validators import formfield_with_model_limits

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class BranchProfileForm(ProfileForm):
    class Meta:
        model = BranchProfile
        fields = (
            "org_type", "party_members", "households", "grids", "grids_with_party_group", "linked_households",
            "secretary_is_director", "standardisation_passed", "points_system",
            "competition_participated", "competition_score",
        )
        formfield_callback = formfield_with_model_limits


class MeetingForm(RecordForm):
    class Meta:
        model = Meeting
        fields = ("date", "kind", "topic", "attendance")
        widgets = {"date": DATE_INPUT}
        formfield_callback = formfield_with_model_limits


class MajorMatterForm(RecordForm):
    class Meta:
        model = MajorMatter
        fields = ("title", "date", "four_deliberations", "made_public")
        widgets = {"date": DATE_INPUT}
        formfield_callback = formfield_with_model_limits


class WeakCaseForm(RecordForm):
    class Meta:
        model = WeakCase
        fields = ("reasons", "measures", "status", "rectified_on")
        widgets = {
            "reasons": forms.Textarea(attrs={"rows": 2}),
            "measures": forms.Textarea(attrs={"rows": 2}),
            "rectified_on": DATE_INPUT,
        }
        formfield_callback = formfield_with_model_limits
