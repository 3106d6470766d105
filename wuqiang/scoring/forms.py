"""Forms of the scheme page: the grade lines and vetoes, and one row per indicator."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.forms import modelformset_factory
from django.utils.translation import gettext_lazy as _

from wuqiang.core.validators import finite_decimal
from wuqiang.scoring import indicators as registry
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


# The most bands one indicator may have on the page (the default scheme uses five at most).
MAX_BANDS = 8
HUNDRED = Decimal(100)


def _number(label, *, low: Decimal, high: Decimal) -> forms.DecimalField:
    return forms.DecimalField(label=label, required=False, max_digits=14, decimal_places=4, min_value=low,
                              max_value=high)


class SchemeIndicatorForm(forms.ModelForm):
    """One indicator's points and the parameters of its rule, as people read them: ratios in
    percent, bands as rows of (from, points), "none = full" only where a ratio may have nothing
    to count (the rule itself is fixed)."""

    low = _number(_("from"), low=-MAX_PARAMETER, high=MAX_PARAMETER)
    high = _number(_("to"), low=-MAX_PARAMETER, high=MAX_PARAMETER)
    none_full = forms.BooleanField(label=_("nothing to count = full points"), required=False)

    class Meta:
        model = SchemeIndicator
        fields = ["points"]

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        params = self.instance.params or {}
        definition = registry.indicator_def(self.instance.code)
        # Ratios are stored 0–1 and shown as percentages, as on the scorecards.
        self.percent = definition is not None and definition.kind == registry.Kind.RATIO
        self.factor = HUNDRED if self.percent else Decimal(1)
        self.fields["points"].widget.attrs.update({"class": "form-control form-control-sm", "step": "0.5"})
        rule = self.instance.rule
        if rule == Rule.LINEAR:
            self.fields["low"].initial = self._shown(params.get("low", 0))
            self.fields["high"].initial = self._shown(params.get("high", 1))
            self.fields["none_full"].initial = params.get("none_full", False)
        else:
            for name in ("low", "high", "none_full"):
                del self.fields[name]
        if rule == Rule.BANDS:
            bands = params.get("bands", [])
            for j in range(max(MAX_BANDS, len(bands))):
                self.fields[f"band_from_{j}"] = _number(_("from"), low=-MAX_PARAMETER, high=MAX_PARAMETER)
                self.fields[f"band_points_{j}"] = _number(_("points"), low=Decimal(0), high=MAX_POINTS)
                if j < len(bands):
                    self.fields[f"band_from_{j}"].initial = self._shown(bands[j][0])
                    self.fields[f"band_points_{j}"].initial = Decimal(str(bands[j][1])).normalize()
        for name, field in self.fields.items():
            if name != "none_full":
                field.widget.attrs.setdefault("class", "form-control form-control-sm")

    def _shown(self, stored: Any) -> Decimal:
        return (Decimal(str(stored)) * self.factor).normalize()

    def band_rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        count = sum(1 for name in self.fields if name.startswith("band_from_"))
        return [(self[f"band_from_{j}"], self[f"band_points_{j}"]) for j in range(count)]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.instance.rule == Rule.BANDS:
            bands = []
            for start, points in self.band_rows():
                threshold, value = data.get(start.name), data.get(points.name)
                if (threshold is None) != (value is None):
                    self.add_error(start.name if threshold is None else points.name,
                                   _("Give both the value a band starts from and its points, or neither."))
                elif threshold is not None:
                    bands.append([float(threshold / self.factor), float(value)])
            if not bands and not self.errors:
                self.add_error(None, _("Give at least one band."))
            data["bands"] = sorted(bands)
        return data

    def scheme_change(self) -> dict[str, Any]:
        data, rule = self.cleaned_data, self.instance.rule
        stored = self.instance.params or {}
        if rule == Rule.LINEAR:
            low = data["low"] if data["low"] is not None else Decimal(0)
            high = data["high"] if data["high"] is not None else self.factor
            params = {"low": float(low / self.factor), "high": float(high / self.factor),
                      "none_full": bool(data["none_full"])}
        elif rule == Rule.BANDS:
            params = {"bands": data["bands"], **({"none_full": True} if stored.get("none_full") else {})}
        else:
            params = {"none_full": True} if stored.get("none_full") else {}
        return {"points": data["points"], "params": params}

    def sample_value(self, text: str) -> float | None:
        """A sample typed in the row's own unit (percent for ratios), as the stored value."""
        number = finite_decimal(text, low=-MAX_PARAMETER, high=MAX_PARAMETER)
        return None if number is None else float(number / self.factor)


SchemeIndicatorFormSet = modelformset_factory(SchemeIndicator, form=SchemeIndicatorForm, extra=0, can_delete=False)
