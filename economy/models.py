"""What a village enters for 集体经济强: its collective economic organisation, money, ways
of earning and financial supervision."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from economy.choices import DevelopmentModel
from wuqiang.entries.models import PillarProfile
from wuqiang.entries.validators import at_least, between

MONEY = {"max_digits": 12, "decimal_places": 2, "null": True, "blank": True,
         "validators": [at_least(Decimal(0))], "help_text": _("in units of 10,000 yuan")}


class EconomyProfile(PillarProfile):
    """The village collective economy in the year."""

    # 股份经济合作社, holding a registration certificate
    organisation_registered = models.BooleanField(
        _("collective economic organisation registered"), null=True, blank=True
    )
    # 农村集体产权制度改革
    property_reform_done = models.BooleanField(_("collective property-rights reform done"), null=True, blank=True)
    # 经营性收入, the headline figure
    operating_income = models.DecimalField(_("operating income"), **MONEY)
    total_income = models.DecimalField(_("total income"), **MONEY)
    assets = models.DecimalField(_("assets"), **MONEY)
    liabilities = models.DecimalField(_("liabilities"), **MONEY)
    development_models = models.JSONField(
        _("development models"), default=list, blank=True, help_text=_("all that apply")
    )
    # 监事会 / 监督小组
    supervisory_board = models.BooleanField(_("supervisory board in place"), null=True, blank=True)
    disclosure_quarters = models.PositiveSmallIntegerField(
        _("quarters with financial disclosure"), null=True, blank=True, validators=between(0, 4),
        help_text=_("quarters, 0–4"),
    )
    # 村财乡管
    township_managed_finance = models.BooleanField(
        _("village finances managed by the township"), null=True, blank=True
    )
    head_changed = models.BooleanField(_("head of the collective changed"), null=True, blank=True)
    # 离任审计
    departure_audit_done = models.BooleanField(_("departure audit done"), null=True, blank=True)
    # 集体经济示范基地
    demonstration_base = models.BooleanField(_("collective-economy demonstration base"), null=True, blank=True)

    # Labels of the values inside list fields, for history and exports (see entries.snapshots).
    item_choices = {"development_models": dict(DevelopmentModel.choices)}

    class Meta:
        verbose_name = _("collective economy profile")
        verbose_name_plural = _("collective economy profiles")

    def clean(self) -> None:
        super().clean()
        errors: dict[str, str] = {}
        if (self.operating_income is not None and self.total_income is not None
                and self.operating_income > self.total_income):
            errors["operating_income"] = _("Operating income cannot exceed total income (%(total)s × 10,000 yuan).") % {
                "total": self.total_income
            }
        models_used = self.development_models
        if not isinstance(models_used, list):
            errors["development_models"] = _("Development models must be a list.")
        else:
            unknown = [str(v) for v in models_used if v not in DevelopmentModel.values]
            if unknown:
                errors["development_models"] = _("Unknown development model: %(values)s.") % {
                    "values": ", ".join(unknown)
                }
        if self.departure_audit_done and self.head_changed is not True:
            errors["departure_audit_done"] = _(
                "A departure audit applies only when the head of the collective changed."
            )
        if errors:
            raise ValidationError(errors)
