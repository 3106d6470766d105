"""Entry form for 集体经济强."""

from __future__ import annotations

from django import forms

from economy.choices import DevelopmentModel
from economy.models import EconomyProfile
from wuqiang.entries.forms import ProfileForm
from wuqiang.entries.validators import formfield_with_model_limits


class EconomyProfileForm(ProfileForm):
    development_models = forms.MultipleChoiceField(
        label=EconomyProfile._meta.get_field("development_models").verbose_name,
        help_text=EconomyProfile._meta.get_field("development_models").help_text,
        choices=DevelopmentModel.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = EconomyProfile
        fields = (
            "organisation_registered", "property_reform_done",
            "operating_income", "total_income", "assets", "liabilities", "development_models",
            "supervisory_board", "disclosure_quarters", "township_managed_finance",
            "head_changed", "departure_audit_done", "demonstration_base",
        )
        formfield_callback = formfield_with_model_limits
