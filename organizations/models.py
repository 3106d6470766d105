"""What a village enters for 组织功能强: its branch profile, meeting log, major matters and
weak-and-lax cases."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from organizations.choices import MeetingKind, OrgType, WeakCaseStatus
from wuqiang.core.validators import LONG_TEXT
from wuqiang.entries.models import PillarProfile, PillarRecord
from wuqiang.entries.validators import between


class BranchProfile(PillarProfile):
    """The village party organisation in the year: its size, grid coverage and standing."""

    org_type = models.CharField(_("organisation type"), max_length=16, choices=OrgType, null=True, blank=True)
    party_members = models.PositiveIntegerField(
        _("party members"), null=True, blank=True, validators=between(0, 5000), help_text=_("people")
    )
    households = models.PositiveIntegerField(
        _("households"), null=True, blank=True, validators=between(0, 20000), help_text=_("households")
    )
    # 网格 / 村民组
    grids = models.PositiveIntegerField(
        _("grids (villager groups)"), null=True, blank=True, validators=between(0, 500), help_text=_("grids")
    )
    # 党小组 set up in the grid
    grids_with_party_group = models.PositiveIntegerField(
        _("grids with a party group"), null=True, blank=True, validators=between(0, 500), help_text=_("grids")
    )
    # 党员联系户
    linked_households = models.PositiveIntegerField(
        _("households linked to a party member"), null=True, blank=True, validators=between(0, 20000),
        help_text=_("households"),
    )
    # 一肩挑
    secretary_is_director = models.BooleanField(
        _("secretary is also the village committee director"), null=True, blank=True
    )
    # 标准化规范化建设达标
    standardisation_passed = models.BooleanField(_("standardisation review passed"), null=True, blank=True)
    # 党员积分制管理
    points_system = models.BooleanField(_("party-member points system in use"), null=True, blank=True)
    # 擂台比武
    competition_participated = models.BooleanField(
        _("secretary took part in the competition"), null=True, blank=True
    )
    competition_score = models.DecimalField(
        _("competition score"), max_digits=5, decimal_places=2, null=True, blank=True,
        validators=between(Decimal(0), Decimal(100)), help_text=_("points, 0–100"),
    )

    class Meta:
        verbose_name = _("branch profile")
        verbose_name_plural = _("branch profiles")

    def clean(self) -> None:
        super().clean()
        errors: dict[str, str] = {}
        if _exceeds(self.grids_with_party_group, self.grids):
            errors["grids_with_party_group"] = _(
                "Grids with a party group cannot exceed grids (%(grids)s)."
            ) % {"grids": self.grids}
        if _exceeds(self.linked_households, self.households):
            errors["linked_households"] = _(
                "Linked households cannot exceed households (%(households)s)."
            ) % {"households": self.households}
        if self.competition_score is not None and self.competition_participated is not True:
            errors["competition_score"] = _("Enter a score only if the secretary took part in the competition.")
        if errors:
            raise ValidationError(errors)


def _exceeds(part: int | None, whole: int | None) -> bool:
    return part is not None and whole is not None and part > whole


class Meeting(PillarRecord):
    """One meeting of the 三会一课 or one theme party day held by the branch."""

    dates_in_year = ("date",)

    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=16, choices=MeetingKind)
    topic = models.CharField(_("topic"), max_length=200, blank=True)
    attendance = models.PositiveIntegerField(
        _("attendance"), null=True, blank=True, validators=between(0, 5000), help_text=_("people")
    )

    class Meta(PillarRecord.Meta):
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["date", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.date}"


class MajorMatter(PillarRecord):
    """A major village matter and whether it went through 四议两公开 (four deliberations,
    two disclosures)."""

    dates_in_year = ("date",)

    title = models.CharField(_("title"), max_length=200)
    date = models.DateField(_("date"))
    four_deliberations = models.BooleanField(_("went through the four deliberations"), default=False)
    made_public = models.BooleanField(_("resolution and results made public"), default=False)

    class Meta(PillarRecord.Meta):
        verbose_name = _("major matter")
        verbose_name_plural = _("major matters")
        ordering = ["date", "pk"]

    def __str__(self) -> str:
        return self.title


class WeakCase(PillarRecord):
    """The village branch listed as weak and lax (软弱涣散) in the year, and its rectification."""

    reasons = models.TextField(_("reasons for listing"), max_length=LONG_TEXT)
    measures = models.TextField(_("rectification measures"), max_length=LONG_TEXT, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=WeakCaseStatus, default=WeakCaseStatus.LISTED)
    rectified_on = models.DateField(_("rectified on"), null=True, blank=True)

    class Meta(PillarRecord.Meta):
        verbose_name = _("weak-and-lax case")
        verbose_name_plural = _("weak-and-lax cases")

    def __str__(self) -> str:
        return str(self.get_status_display())

    def clean(self) -> None:
        super().clean()
        if self.status == WeakCaseStatus.RECTIFIED and self.rectified_on is None:
            raise ValidationError({"rectified_on": _("Enter the date the rectification was completed.")})
        if self.status != WeakCaseStatus.RECTIFIED and self.rectified_on is not None:
            raise ValidationError({"rectified_on": _("Leave the date empty unless the case is rectified.")})
        if self.rectified_on is None:
            return
        # Listed in the entry's year, so not rectified before it; a date after the year is
        # allowed (entry runs into the next year) and means "not rectified by year end".
        year = self.entry_year()
        if year is not None and self.rectified_on.year < year:
            raise ValidationError({"rectified_on": _(
                "The village was listed in %(year)s; the rectification date cannot be earlier."
            ) % {"year": year}})
        if self.rectified_on > timezone.localdate():
            raise ValidationError({"rectified_on": _("The rectification date cannot be in the future.")})
