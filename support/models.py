"""What is entered for 要素保障强: the village secretary's pay and conditions, the village
venue, the township's facilities, and the county income figure the pay standard uses."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from wuqiang.accounts.scope import ScopedQuerySet
from wuqiang.entries.models import PillarProfile
from wuqiang.entries.validators import between
from wuqiang.regions.models import Level


class SupportProfile(PillarProfile):
    """What the village's secretary and venue received in the year."""

    secretary_annual_pay = models.PositiveIntegerField(
        _("secretary's annual basic pay"), null=True, blank=True, validators=between(0, 1_000_000),
        help_text=_("yuan per year"),
    )
    # paid in full and on time through 一卡通
    months_paid_on_time = models.PositiveSmallIntegerField(
        _("months paid in full and on time"), null=True, blank=True, validators=between(0, 12),
        help_text=_("months, 0–12"),
    )
    # 村级阵地
    venue_area = models.DecimalField(
        _("village venue floor area"), max_digits=7, decimal_places=1, null=True, blank=True,
        validators=between(Decimal(0), Decimal(100_000)), help_text=_("m²"),
    )
    venue_standardised = models.BooleanField(_("venue standardised"), null=True, blank=True)
    paid_leave = models.BooleanField(_("paid annual leave carried out"), null=True, blank=True)
    health_checkup = models.BooleanField(_("health check-up carried out"), null=True, blank=True)

    class Meta:
        verbose_name = _("support profile")
        verbose_name_plural = _("support profiles")


class TownshipFacilities(PillarProfile):
    """A township's 五小 facilities and turnover housing, and its civil-service posts."""

    canteen = models.BooleanField(_("canteen"), null=True, blank=True)  # 小食堂
    toilet = models.BooleanField(_("toilet"), null=True, blank=True)  # 小厕所
    bathhouse = models.BooleanField(_("bathhouse"), null=True, blank=True)  # 小澡堂
    library = models.BooleanField(_("library"), null=True, blank=True)  # 小图书室
    activity_room = models.BooleanField(_("culture and sports room"), null=True, blank=True)  # 小文体活动室
    turnover_housing = models.BooleanField(_("turnover housing"), null=True, blank=True)  # 周转房
    civil_posts = models.PositiveIntegerField(
        _("civil-service posts"), null=True, blank=True, validators=between(0, 500), help_text=_("posts")
    )
    civil_posts_filled = models.PositiveIntegerField(
        _("civil-service posts filled"), null=True, blank=True, validators=between(0, 500), help_text=_("posts")
    )

    class Meta:
        verbose_name = _("township facilities")
        verbose_name_plural = _("township facilities")

    def clean(self) -> None:
        super().clean()
        if (self.civil_posts_filled is not None and self.civil_posts is not None
                and self.civil_posts_filled > self.civil_posts):
            raise ValidationError({
                "civil_posts_filled": _("Filled posts cannot exceed posts (%(posts)s).")
                % {"posts": self.civil_posts}
            })


class CountyIncome(models.Model):
    """A county's rural per-capita disposable income for a year, the base of the secretary pay
    standard of the following year."""

    scope_paths = {
        Level.MUNICIPALITY: "county__municipality_id",
        Level.COUNTY: "county_id",
    }

    county = models.ForeignKey("regions.County", on_delete=models.PROTECT, related_name="incomes",
                               verbose_name=_("county"))
    year = models.ForeignKey("regions.AssessmentYear", on_delete=models.PROTECT, related_name="county_incomes",
                             verbose_name=_("year"))
    rural_income_per_capita = models.PositiveIntegerField(
        _("rural per-capita disposable income"), validators=between(1000, 200_000), help_text=_("yuan per year")
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("updated by"), editable=False)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("county rural income")
        verbose_name_plural = _("county rural incomes")
        ordering = ["-year", "county"]
        constraints = [models.UniqueConstraint(fields=["county", "year"], name="county_income_unique_per_year")]

    def __str__(self) -> str:
        return f"{self.county} · {self.year_id}"
