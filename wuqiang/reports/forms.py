"""The export request a dashboard or the demonstration page posts."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from wuqiang.regions.models import Level
from wuqiang.reports.models import ExportKind
from wuqiang.scoring.models import NominationStatus

LEVELS = {"municipality": Level.MUNICIPALITY, "county": Level.COUNTY, "township": Level.TOWNSHIP,
          "village": Level.VILLAGE}


class ExportForm(forms.Form):
    # A division code: 6 (municipality, county), 9 (township) or 12 (village) digits.
    scope = forms.RegexField(regex=r"^\d{6}(\d{3}){0,2}$", required=False,
                             error_messages={"invalid": _("Not a division code.")})
    level = forms.ChoiceField(choices=[(name, name) for name in LEVELS], required=False)
    year = forms.IntegerField(min_value=2000, max_value=2100)
    kind = forms.ChoiceField(choices=ExportKind.choices, initial=ExportKind.REPORT)
    status = forms.ChoiceField(choices=[("", ""), *NominationStatus.choices], required=False)

    def clean(self) -> dict:
        data = super().clean()
        if data.get("kind") == ExportKind.REPORT and not data.get("scope"):
            raise forms.ValidationError(_("Choose the unit to report on."))
        return data

    @property
    def level_value(self) -> int | None:
        return LEVELS.get(self.cleaned_data.get("level") or "")
