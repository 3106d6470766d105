"""What a village enters for 治理能力强: rules, councils, micro-governance tools, visits,
disputes and services."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from wuqiang.entries.models import PillarProfile
from wuqiang.entries.validators import between


class GovernanceProfile(PillarProfile):
    """How the village governed itself in the year."""

    # 村规民约 revised and filed with the township
    rules_revised_filed = models.BooleanField(_("village rules revised and filed"), null=True, blank=True)
    council_villagers = models.BooleanField(_("villagers' council set up"), null=True, blank=True)  # 村民议事会
    council_ceremonies = models.BooleanField(  # 红白理事会
        _("weddings and funerals council set up"), null=True, blank=True
    )
    council_morality = models.BooleanField(_("morality review council set up"), null=True, blank=True)  # 道德评议会
    tool_points = models.BooleanField(_("points system in use"), null=True, blank=True)  # 积分制
    tool_red_black = models.BooleanField(_("red and black list in use"), null=True, blank=True)  # 红黑榜
    tool_stewards = models.BooleanField(_("village stewards in use"), null=True, blank=True)  # 寨管家
    other_tools = models.CharField(_("other micro-governance tools"), max_length=200, blank=True)
    # 大走访: the target is every household
    households_visited = models.PositiveIntegerField(
        _("households visited by cadres"), null=True, blank=True, validators=between(0, 20000),
        help_text=_("households"),
    )
    disputes = models.PositiveIntegerField(
        _("disputes arisen"), null=True, blank=True, validators=between(0, 10000), help_text=_("disputes")
    )
    # 小事不出村
    disputes_resolved = models.PositiveIntegerField(
        _("disputes resolved within the village"), null=True, blank=True, validators=between(0, 10000),
        help_text=_("disputes"),
    )
    # 首问负责 / 全程代理 / 一次告知 / 限时结办 / 责任追究
    one_stop_service = models.BooleanField(
        _("one-stop service with the five systems"), null=True, blank=True
    )
    # 道德模范 / 最美家庭
    model_selection_held = models.BooleanField(
        _("model citizens or best families selected"), null=True, blank=True
    )
    # 群体性事件 / 重大安全事故 — a veto item
    major_incident = models.BooleanField(_("major incident in the year"), null=True, blank=True)

    class Meta:
        verbose_name = _("governance profile")
        verbose_name_plural = _("governance profiles")

    def clean(self) -> None:
        super().clean()
        if (self.disputes_resolved is not None and self.disputes is not None
                and self.disputes_resolved > self.disputes):
            raise ValidationError({
                "disputes_resolved": _("Resolved disputes cannot exceed disputes (%(disputes)s).")
                % {"disputes": self.disputes}
            })
