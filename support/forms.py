"""Entry forms for 要素保障强: the village profile, the township facilities, and the county
income figure."""

from __future__ import annotations

from django import forms

from support.models import CountyIncome, SupportProfile, TownshipFacilities
from wuqiang.entries.forms import ProfileForm
from wuqiang.entries.validators import formfield_with_model_limits


class SupportProfileForm(ProfileForm):
    class Meta:
        model = SupportProfile
        fields = (
            "secretary_annual_pay", "months_paid_on_time", "venue_area", "venue_standardised",
            "paid_leave", "health_checkup",
        )
        formfield_callback = formfield_with_model_limits


class TownshipFacilitiesForm(ProfileForm):
    class Meta:
        model = TownshipFacilities
        fields = (
            "canteen", "toilet", "bathhouse", "library", "activity_room", "turnover_housing",
            "civil_posts", "civil_posts_filled",
        )
        formfield_callback = formfield_with_model_limits


class CountyIncomeForm(forms.ModelForm):
    """For county or municipal staff; restrict the county choices to the user's scope."""

    class Meta:
        model = CountyIncome
        fields = ("county", "year", "rural_income_per_capita")
        formfield_callback = formfield_with_model_limits
