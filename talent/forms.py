"""Entry forms for 人才队伍强: the training figure and the three lists of people."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from talent.models import MINIMUM_AGE, Cadre, SentDown, TalentProfile, Trainee
from wuqiang.entries.forms import ProfileForm, RecordForm
from wuqiang.entries.validators import formfield_with_model_limits

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
PERSON_FIELDS = ("name", "gender", "birth_year", "education")


class TalentProfileForm(ProfileForm):
    class Meta:
        model = TalentProfile
        fields = ("secretary_training_hours",)
        formfield_callback = formfield_with_model_limits


class PersonForm(RecordForm):
    """Checks the birth year against the entry's year: everyone listed is at least 16."""

    def clean_birth_year(self) -> int | None:
        birth_year = self.cleaned_data.get("birth_year")
        latest = self.entry.year_id - MINIMUM_AGE
        if birth_year is not None and birth_year > latest:
            raise forms.ValidationError(
                _("The birth year cannot be after %(latest)s: everyone listed is at least %(age)s in %(year)s.")
                % {"latest": latest, "age": MINIMUM_AGE, "year": self.entry.year_id}
            )
        return birth_year


class CadreForm(PersonForm):
    class Meta:
        model = Cadre
        fields = (*PERSON_FIELDS, "post", "monthly_pay", "from_reserve_pool")
        formfield_callback = formfield_with_model_limits


class SentDownForm(PersonForm):
    class Meta:
        model = SentDown
        fields = (*PERSON_FIELDS, "kind", "sending_unit", "start_date", "end_date")
        widgets = {"start_date": DATE_INPUT, "end_date": DATE_INPUT}
        formfield_callback = formfield_with_model_limits


class TraineeForm(PersonForm):
    class Meta:
        model = Trainee
        fields = (*PERSON_FIELDS, "kind", "source", "now_cadre")
        formfield_callback = formfield_with_model_limits
