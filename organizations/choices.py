"""Choices for the organisational-function pillar (组织功能强)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrgType(models.TextChoices):
    """The form of the village party organisation, by membership size."""

    BRANCH = "branch", _("Party branch")  # 党支部
    GENERAL_BRANCH = "general_branch", _("General party branch")  # 党总支
    COMMITTEE = "committee", _("Party committee")  # 党委


class MeetingKind(models.TextChoices):
    """The 三会一课 (three meetings and one lecture) plus the monthly theme day."""

    PARTY_CONGRESS = "party_congress", _("Party members' meeting")  # 党员大会
    COMMITTEE = "committee", _("Branch committee meeting")  # 支委会
    GROUP = "group", _("Party group meeting")  # 党小组会
    PARTY_LECTURE = "party_lecture", _("Party lecture")  # 党课
    THEME_DAY = "theme_day", _("Theme party day")  # 主题党日


# How many of each 三会一课 meeting a branch must hold in a year (32 in all, scoring item O4).
REQUIRED_MEETINGS: dict[MeetingKind, int] = {
    MeetingKind.PARTY_CONGRESS: 4,
    MeetingKind.COMMITTEE: 12,
    MeetingKind.GROUP: 12,
    MeetingKind.PARTY_LECTURE: 4,
}
REQUIRED_MEETINGS_TOTAL = sum(REQUIRED_MEETINGS.values())

# The theme party day is held monthly: what counts is the months with one (scoring item O5).
REQUIRED_THEME_DAY_MONTHS = 12


class WeakCaseStatus(models.TextChoices):
    """Progress of a weak-and-lax branch through 排查整顿 (screening and rectification)."""

    LISTED = "listed", _("Listed")  # 列入
    RECTIFYING = "rectifying", _("Being rectified")  # 整顿中
    RECTIFIED = "rectified", _("Rectified")  # 已整顿
