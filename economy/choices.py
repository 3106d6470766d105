"""Choices for the collective-economy pillar (集体经济强)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DevelopmentModel(models.TextChoices):
    """A way the village collective economy earns; a village may use several."""

    LEASE_BACK = "lease_back", _("Lease and sub-contract back")  # 返租倒包
    WHOLE_VILLAGE = "whole_village", _("Whole-village development")  # 整村推进
    VILLAGE_LINKAGE = "village_linkage", _("Village-to-village linkage")  # 村村联动
    STRONG_WEAK = "strong_weak", _("Strong village pairs with weak")  # 强弱联合
    URBAN_RURAL = "urban_rural", _("Town drives countryside")  # 城乡带动
    REGIONAL = "regional", _("Regional cooperation")  # 区域协同
    SELF_DEVELOPMENT = "self_development", _("Own development")  # 自主开发
    JOINT_VENTURE = "joint_venture", _("Joint venture")  # 合资合作
    EQUITY_INVESTMENT = "equity_investment", _("Equity investment")  # 投资入股
    EMPLOYMENT = "employment", _("Employment participation")  # 就业参与
