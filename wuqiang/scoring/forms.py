"""Forms of the scheme page: the grade lines and vetoes, and one row per indicator."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.forms import modelformset_factory
from django.utils.translation import gettext_lazy as _

from wuqiang.core.validators import finite_decimal
from wuqiang.scoring.models import Rule, Scheme, SchemeIndicator, VetoCode
from wuqiang.scoring.services import MAX_PARAMETER, MAX_POINTS, THRESHOLD_FIELDS


class SchemeSettingsForm(forms.Form):
    """The grade lines and which veto items apply."""

    def __init__(self, *args: Any, scheme: Scheme, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.scheme = scheme
        for name in THRESHOLD_FIELDS:
            field = Scheme._meta.get_field(name)
            self.fields[name] = forms.DecimalField(label=field.verbose_name, min_value=0, max_value=100,
                                                   decimal_places=2, initial=getattr(scheme, name))
        enabled = {v.code: v.enabled for v in scheme.vetoes.all()}
        for code, label in VetoCode.choices:
            self.fields[f"veto_{code}"] = forms.BooleanField(label=label, required=False,
                                                             initial=enabled.get(code, False))

    def thresholds(self) -> dict[str, Decimal]:
        return {name: self.cleaned_data[name] for name in THRESHOLD_FIELDS}

    def vetoes(self) -> dict[str, bool]:
        return {code: self.cleaned_data[f"veto_{code}"] for code in VetoCode.values}

    def threshold_fields(self):
        return [self[name] for name in THRESHOLD_FIELDS]

    def veto_fields(self):
        return [self[f"veto_{code}"] for code in VetoCode.values]


def _parse_bands(text: str) -> list[list[float]]:
    """"0:0; 10:4; 20:7" → [[0, 0], [10, 4], [20, 7]]; ValueError for anything else (NaN and
    infinities included: a band must be a finite number)."""
    bands = []
    for part in text.replace("，", ";").replace(",", ";").split(";"):
        if not part.strip():
            continue
        threshold, _sep, points = part.partition(":")
        values = [finite_decimal(threshold, low=-MAX_PARAMETER, high=MAX_PARAMETER),
                  finite_decimal(points, low=Decimal(0), high=MAX_POINTS)]
        if None in values:
            raise ValueError(part)
        bands.append([float(v) for v in values])
    return sorted(bands)


class SchemeIndicatorForm(forms.ModelForm):
    """One indicator's points and the parameters of its rule (the rule itself is fixed)."""

    low = forms.DecimalField(label=_("from"), required=False, max_digits=14, decimal_places=4,
                             min_value=-MAX_PARAMETER, max_value=MAX_PARAMETER)
    high = forms.DecimalField(label=_("to"), required=False, max_digits=14, decimal_places=4,
                              min_value=-MAX_PARAMETER, max_value=MAX_PARAMETER)
    none_full = forms.BooleanField(label=_("none = full"), required=False)
    bands = forms.CharField(label=_("bands"), required=False, help_text=_("threshold:points; …, e.g. 0:0; 10:4"))

    class Meta:
        model = SchemeIndicator
        fields = ["points"]

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        params = self.instance.params or {}
        self.fields["points"].widget.attrs.update({"class": "form-control form-control-sm", "step": "0.5"})
        self.fields["low"].initial = params.get("low", 0)
        self.fields["high"].initial = params.get("high", 1)
        self.fields["none_full"].initial = params.get("none_full", False)
        self.fields["bands"].initial = "; ".join(f"{t:g}:{p:g}" for t, p in params.get("bands", []))
        for name in ("low", "high", "bands"):
            self.fields[name].widget.attrs["class"] = "form-control form-control-sm"

    def clean_bands(self) -> list[list[float]]:
        text = self.cleaned_data.get("bands") or ""
        if self.instance.rule != Rule.BANDS:
            return []
        try:
            return _parse_bands(text)
        except (ArithmeticError, ValueError):
            raise forms.ValidationError(_("Write the bands as threshold:points separated by semicolons.")) from None

    def scheme_change(self) -> dict[str, Any]:
        data, rule = self.cleaned_data, self.instance.rule
        if rule == Rule.LINEAR:
            params = {"low": float(data["low"] if data["low"] is not None else 0),
                      "high": float(data["high"] if data["high"] is not None else 1),
                      "none_full": bool(data["none_full"])}
        elif rule == Rule.BANDS:
            params = {"bands": data["bands"], **({"none_full": True} if data["none_full"] else {})}
        else:
            params = {"none_full": True} if data["none_full"] else {}
        return {"points": data["points"], "params": params}


SchemeIndicatorFormSet = modelformset_factory(SchemeIndicator, form=SchemeIndicatorForm, extra=0, can_delete=False)
