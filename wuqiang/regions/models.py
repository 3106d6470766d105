"""The administrative hierarchy (市 → 县 → 乡镇 → 村) and the yearly assessment calendar."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Length
from django.db.models.lookups import Exact
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from wuqiang.accounts.scope import ScopedQuerySet


class Level(models.IntegerChoices):
    """The four fixed levels of the hierarchy, top down."""

    MUNICIPALITY = 1, _("Municipality")
    COUNTY = 2, _("County")
    TOWNSHIP = 3, _("Township")
    VILLAGE = 4, _("Village")


# Digits of the statistical division code at each level (GB/T 2260 and its extensions).
CODE_LENGTH = {Level.MUNICIPALITY: 6, Level.COUNTY: 6, Level.TOWNSHIP: 9, Level.VILLAGE: 12}


# Spelled out per length (not formatted at import) so the message stays a lazy translation.
_CODE_FORMAT_MESSAGES = {
    6: _("A division code at this level has exactly 6 digits."),
    9: _("A division code at this level has exactly 9 digits."),
    12: _("A division code at this level has exactly 12 digits."),
}


def code_validator(level: Level) -> RegexValidator:
    digits = CODE_LENGTH[level]
    return RegexValidator(rf"^\d{{{digits}}}$", _CODE_FORMAT_MESSAGES[digits], code="code_format")


class Unit(models.Model):
    """What every level shares: a division code (the natural key) and a name."""

    level: Level
    # The code every child's code starts with; for a municipality only its first four digits.
    parent_field: str | None = None

    name = models.CharField(_("name"), max_length=64)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse(f"regions:{self._meta.model_name}", args=[self.code])

    @property
    def level_name(self) -> str:
        """"municipality", "county", "township" or "village": also the name of each level's
        pages (regions:county, scoring:county, …)."""
        return self._meta.model_name

    @property
    def child_prefix(self) -> str:
        return self.code

    @property
    def parent(self) -> Unit | None:
        return getattr(self, self.parent_field) if self.parent_field else None

    def ancestors(self) -> list[Unit]:
        """Units above this one, top down (uses already-selected relations where present)."""
        chain: list[Unit] = []
        unit = self.parent
        while unit is not None:
            chain.insert(0, unit)
            unit = unit.parent
        return chain

    def clean(self) -> None:
        super().clean()
        parent = self.parent if self.parent_field and getattr(self, f"{self.parent_field}_id") else None
        if parent is not None and self.code and not self.code.startswith(parent.child_prefix):
            raise ValidationError(
                {
                    "code": _("The code must start with %(prefix)s, the code of %(parent)s.")
                    % {"prefix": parent.child_prefix, "parent": parent.name}
                }
            )


def _code_length_check(level: Level, name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Exact(Length("code"), CODE_LENGTH[level]), name=name
    )


class Municipality(Unit):
    """A prefecture-level city (市), the top of an assessment campaign, e.g. 遵义市."""

    level = Level.MUNICIPALITY
    scope_paths = {Level.MUNICIPALITY: "pk"}

    code = models.CharField(
        _("division code"), max_length=6, unique=True, validators=[code_validator(Level.MUNICIPALITY)]
    )

    class Meta(Unit.Meta):
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")
        constraints = [_code_length_check(Level.MUNICIPALITY, "municipality_code_length")]

    @property
    def child_prefix(self) -> str:
        # 520300 → counties 5203xx.
        return self.code[:4]


class County(Unit):
    """A county-level unit (县、区、县级市) whose reviewers approve its villages' data."""

    level = Level.COUNTY
    parent_field = "municipality"
    scope_paths = {Level.MUNICIPALITY: "municipality_id", Level.COUNTY: "pk"}

    code = models.CharField(
        _("division code"), max_length=6, unique=True, validators=[code_validator(Level.COUNTY)]
    )
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="counties", verbose_name=_("municipality")
    )

    class Meta(Unit.Meta):
        verbose_name = _("county")
        verbose_name_plural = _("counties")
        constraints = [
            _code_length_check(Level.COUNTY, "county_code_length"),
            models.UniqueConstraint(fields=["municipality", "name"], name="county_name_unique_in_municipality"),
        ]


class Township(Unit):
    """A township-level unit (镇、乡、街道) whose clerk enters its villages' data."""

    level = Level.TOWNSHIP
    parent_field = "county"
    scope_paths = {
        Level.MUNICIPALITY: "county__municipality_id",
        Level.COUNTY: "county_id",
        Level.TOWNSHIP: "pk",
    }

    code = models.CharField(
        _("division code"), max_length=9, unique=True, validators=[code_validator(Level.TOWNSHIP)]
    )
    county = models.ForeignKey(
        County, on_delete=models.PROTECT, related_name="townships", verbose_name=_("county")
    )

    class Meta(Unit.Meta):
        verbose_name = _("township")
        verbose_name_plural = _("townships")
        constraints = [
            _code_length_check(Level.TOWNSHIP, "township_code_length"),
            models.UniqueConstraint(fields=["county", "name"], name="township_name_unique_in_county"),
        ]


class Village(Unit):
    """An administrative village (行政村), the unit every pillar's data is entered for."""

    level = Level.VILLAGE
    parent_field = "township"
    scope_paths = {
        Level.MUNICIPALITY: "county__municipality_id",
        Level.COUNTY: "county_id",
        Level.TOWNSHIP: "township_id",
        Level.VILLAGE: "pk",
    }

    code = models.CharField(
        _("division code"), max_length=12, unique=True, validators=[code_validator(Level.VILLAGE)]
    )
    township = models.ForeignKey(
        Township, on_delete=models.PROTECT, related_name="villages", verbose_name=_("township")
    )
    # Denormalised from the township so county-wide queries skip a join; save() keeps it in step.
    county = models.ForeignKey(
        County, on_delete=models.PROTECT, related_name="villages", verbose_name=_("county"), editable=False
    )

    class Meta(Unit.Meta):
        verbose_name = _("village")
        verbose_name_plural = _("villages")
        constraints = [
            _code_length_check(Level.VILLAGE, "village_code_length"),
            models.UniqueConstraint(fields=["township", "name"], name="village_name_unique_in_township"),
        ]
        indexes = [models.Index(fields=["county", "code"], name="village_county_code_idx")]

    def save(self, *args, **kwargs) -> None:
        if self.township_id:
            self.county_id = Township.objects.values_list("county_id", flat=True).get(pk=self.township_id)
            if "update_fields" in kwargs and kwargs["update_fields"] is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "county"}
        super().save(*args, **kwargs)


class YearState(models.TextChoices):
    OPEN = "open", _("Open for entry")
    CLOSED = "closed", _("Closed")
    PUBLISHED = "published", _("Published")


# The only moves a year makes: closing may be undone while nothing is published; publishing is final.
YEAR_TRANSITIONS: dict[str, tuple[str, ...]] = {
    YearState.OPEN: (YearState.CLOSED,),
    YearState.CLOSED: (YearState.OPEN, YearState.PUBLISHED),
    YearState.PUBLISHED: (),
}


class AssessmentYear(models.Model):
    """One year of the 五强组织 campaign, shared by every municipality; each municipality runs it
    on its own calendar and state (MunicipalYear)."""

    year = models.PositiveSmallIntegerField(_("year"), primary_key=True)

    class Meta:
        verbose_name = _("assessment year")
        verbose_name_plural = _("assessment years")
        ordering = ["-year"]
        constraints = [
            models.CheckConstraint(condition=models.Q(year__gte=2000, year__lte=2100), name="year_plausible"),
        ]

    def __str__(self) -> str:
        return str(self.year)


def default_entry_window(year: int) -> tuple[datetime.date, datetime.date]:
    """Entry runs through the year and closes at the end of the next year's first quarter."""
    return datetime.date(year, 1, 1), datetime.date(year + 1, 3, 31)


class MunicipalYear(models.Model):
    """One municipality's assessment of one year: its entry window and how far it has progressed
    (open → closed → published). Staff of the municipality manage it; nobody else sees it."""

    scope_paths = {Level.MUNICIPALITY: "municipality_id"}

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="years",
                                     verbose_name=_("municipality"))
    year = models.ForeignKey(AssessmentYear, on_delete=models.CASCADE, related_name="municipal_years",
                             verbose_name=_("year"))
    entry_opens = models.DateField(_("entry opens"))
    # The deadline announced to clerks; the state, not this date, locks entry (see accepts_clerk_edits).
    entry_closes = models.DateField(_("entry closes"))
    state = models.CharField(_("state"), max_length=12, choices=YearState, default=YearState.OPEN)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("year settings of a municipality")
        verbose_name_plural = _("year settings of municipalities")
        ordering = ["municipality", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "year"], name="municipal_year_unique"),
            models.CheckConstraint(condition=models.Q(entry_closes__gte=models.F("entry_opens")),
                                   name="municipal_year_window_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.municipality_id} · {self.year_id}"

    @property
    def accepts_clerk_edits(self) -> bool:
        # Only the state decides; the window dates are the announced deadline, not a hard lock,
        # so an organisation department can extend entry by leaving the year open.
        return self.state == YearState.OPEN

    @property
    def is_published(self) -> bool:
        return self.state == YearState.PUBLISHED

    def days_left(self, today: datetime.date) -> int | None:
        """Days until the announced deadline while the year is open (negative once it has passed)."""
        return (self.entry_closes - today).days if self.state == YearState.OPEN else None

    @property
    def days_left_today(self) -> int | None:
        from django.utils import timezone

        return self.days_left(timezone.localdate())

    @property
    def days_past_deadline(self) -> int:
        left = self.days_left_today
        return -left if left is not None and left < 0 else 0

    def clean(self) -> None:
        if self.entry_opens and self.entry_closes and self.entry_closes < self.entry_opens:
            raise ValidationError({"entry_closes": _("The entry window must close after it opens.")})


class YearStateChange(models.Model):
    """One move of a municipality's year between states: who, when, from, to, and why."""

    scope_paths = {Level.MUNICIPALITY: "municipal_year__municipality_id"}

    municipal_year = models.ForeignKey(MunicipalYear, on_delete=models.CASCADE, related_name="state_changes",
                                       verbose_name=_("year settings"))
    at = models.DateTimeField(_("when"))
    actor = models.ForeignKey("accounts.User", on_delete=models.SET_NULL, null=True, related_name="+",
                              verbose_name=_("who"))
    from_state = models.CharField(_("from"), max_length=12, choices=YearState)
    to_state = models.CharField(_("to"), max_length=12, choices=YearState)
    note = models.CharField(_("note"), max_length=200, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("year state change")
        verbose_name_plural = _("year state changes")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.municipal_year} {self.from_state} → {self.to_state}"
