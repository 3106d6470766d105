"""What a village enters for 人才队伍强: secretary training, and the people who serve it —
its 两委 cadres, the personnel sent down to it and its talent-pool trainees.

People are kept to minimal personal data: name, gender, birth year and education; no ID or
phone numbers.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from talent.choices import CadrePost, Education, Gender, SentDownKind, TraineeKind, TraineeSource
from wuqiang.entries.models import PillarProfile, PillarRecord
from wuqiang.entries.validators import at_least, between

EARLIEST_BIRTH_YEAR = 1930
# How far before and after the year a posting listed in it may start and end.
POSTING_YEARS_BACK = 10
POSTING_YEARS_AHEAD = 5
# Nobody younger than this in the year serves as a cadre, a posted worker or a trainee.
MINIMUM_AGE = 16


class TalentProfile(PillarProfile):
    """The village's talent-team figures that are not lists of people."""

    secretary_training_hours = models.DecimalField(
        _("secretary's training hours"), max_digits=6, decimal_places=1, null=True, blank=True,
        validators=between(Decimal(0), Decimal(500)), help_text=_("hours in the year"),
    )

    class Meta:
        verbose_name = _("talent profile")
        verbose_name_plural = _("talent profiles")


class Person(PillarRecord):
    """The minimal personal data every listed person carries."""

    name = models.CharField(pgettext_lazy("a person's name", "name"), max_length=32)
    gender = models.CharField(_("gender"), max_length=8, choices=Gender)
    birth_year = models.PositiveSmallIntegerField(
        _("birth year"), validators=[at_least(EARLIEST_BIRTH_YEAR)],
        help_text=_("year, e.g. 1985"),
    )
    education = models.CharField(_("education"), max_length=16, choices=Education)

    class Meta(PillarRecord.Meta):
        abstract = True

    def __str__(self) -> str:
        return self.name


class Cadre(Person):
    """A member of the village 两委 (party branch committee and village committee)."""

    post = models.CharField(_("post"), max_length=24, choices=CadrePost)
    monthly_pay = models.PositiveIntegerField(
        _("monthly pay"), null=True, blank=True, validators=between(0, 100_000), help_text=_("yuan per month")
    )
    from_reserve_pool = models.BooleanField(_("came from the reserve pool"), default=False)

    class Meta(Person.Meta):
        verbose_name = _("village cadre")
        verbose_name_plural = _("village cadres")


def in_post(year: int, path: str = "") -> Q:
    """Postings that overlap ``year`` (in post at any time during it), as a condition on the
    posting reached by ``path`` (e.g. ``"talent_sentdown_set__"`` from an entry; a conditional
    count over the entry's postings then needs no subquery)."""
    year = int(getattr(year, "year", year))
    return ((Q(**{f"{path}end_date__isnull": True}) | Q(**{f"{path}end_date__gte": datetime.date(year, 1, 1)}))
            & Q(**{f"{path}start_date__lte": datetime.date(year, 12, 31)}))


class SentDownQuerySet(models.QuerySet):
    def in_post(self, year: int) -> SentDownQuerySet:
        """Postings that overlap ``year`` (in post at any time during it)."""
        return self.filter(in_post(year))


class SentDown(Person):
    """A person posted to the village from outside (派驻力量), e.g. its first secretary."""

    kind = models.CharField(_("kind"), max_length=32, choices=SentDownKind)
    sending_unit = models.CharField(_("sending unit"), max_length=100)
    start_date = models.DateField(_("posted from"))
    end_date = models.DateField(_("posted until"), null=True, blank=True, help_text=_("empty while in post"))

    objects = SentDownQuerySet.as_manager()

    class Meta(Person.Meta):
        verbose_name = _("sent-down person")
        verbose_name_plural = _("sent-down personnel")

    def clean(self) -> None:
        super().clean()
        errors: dict[str, str] = {}
        start, end = self.start_date, self.end_date
        if start and end and end < start:
            errors["end_date"] = _("The posting cannot end before it starts (%(start)s).") % {
                "start": start.isoformat()}
        year = self.entry_year()
        if year is not None:
            # A posting is listed in the years it covers ("in post" = overlaps the year), and
            # none lasts decades: dates far out are typos (1800, 9999), not postings.
            first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
            if start and start.year < year - POSTING_YEARS_BACK:
                errors["start_date"] = _("A posting listed in %(year)s cannot have started before %(earliest)s.") % {
                    "year": year, "earliest": year - POSTING_YEARS_BACK}
            elif start and start > last:
                errors["start_date"] = _("A posting listed in %(year)s must have started by the end of %(year)s.") % {
                    "year": year}
            if end and end.year > year + POSTING_YEARS_AHEAD:
                errors.setdefault("end_date", _("The posting cannot be planned to end after %(latest)s.") % {
                    "latest": year + POSTING_YEARS_AHEAD})
            elif end and end < first:
                errors.setdefault("end_date", _(
                    "A posting that ended before %(year)s is not listed in %(year)s.") % {"year": year})
        if errors:
            raise ValidationError(errors)


class Trainee(Person):
    """A person in the village's talent pool (双培养): a leading-talent trainee or a reserve cadre."""

    kind = models.CharField(_("kind"), max_length=24, choices=TraineeKind)
    source = models.CharField(_("source"), max_length=24, choices=TraineeSource)
    now_cadre = models.BooleanField(_("now on the village committees"), default=False)

    class Meta(Person.Meta):
        verbose_name = _("talent-pool trainee")
        verbose_name_plural = _("talent-pool trainees")
