"""Portal users and the role that pins each one to a part of the hierarchy."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from wuqiang.accounts.scope import Scope


class Role(models.TextChoices):
    CLERK = "clerk", _("Township clerk")
    REVIEWER = "reviewer", _("County reviewer")
    MUNICIPAL = "municipal", _("Municipal staff")
    ADMIN = "admin", _("System administrator")


# Which unit each role is attached to; the other unit fields must stay empty.
ROLE_UNIT_FIELD = {Role.CLERK: "township", Role.REVIEWER: "county", Role.MUNICIPAL: "municipality"}
UNIT_FIELDS = ("township", "county", "municipality")


def _role_constraint() -> Q:
    allowed = Q(role__in=["", Role.ADMIN], township__isnull=True, county__isnull=True, municipality__isnull=True)
    for role, field in ROLE_UNIT_FIELD.items():
        allowed |= Q(role=role, **{f"{f}__isnull": f != field for f in UNIT_FIELDS})
    return allowed


class User(AbstractUser):
    """A person who signs in: a township clerk, county reviewer, municipal staff or admin."""

    role = models.CharField(_("role"), max_length=16, choices=Role, blank=True)
    municipality = models.ForeignKey(
        "regions.Municipality", on_delete=models.PROTECT, null=True, blank=True,
        related_name="staff", verbose_name=_("municipality"),
    )
    county = models.ForeignKey(
        "regions.County", on_delete=models.PROTECT, null=True, blank=True,
        related_name="reviewers", verbose_name=_("county"),
    )
    township = models.ForeignKey(
        "regions.Township", on_delete=models.PROTECT, null=True, blank=True,
        related_name="clerks", verbose_name=_("township"),
    )

    objects = UserManager()

    class Meta(AbstractUser.Meta):
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [models.CheckConstraint(condition=_role_constraint(), name="user_role_matches_unit")]

    def clean(self) -> None:
        super().clean()
        needed = ROLE_UNIT_FIELD.get(self.role)
        errors = {}
        for field in UNIT_FIELDS:
            has = getattr(self, f"{field}_id") is not None
            if field == needed and not has:
                errors[field] = _("This role needs a %(unit)s.") % {
                    "unit": self._meta.get_field(field).verbose_name
                }
            elif field != needed and has:
                errors[field] = _("Leave this empty for the chosen role.")
        if errors:
            raise ValidationError(errors)

    def compute_scope(self) -> Scope:
        from wuqiang.regions.models import Level

        if self.role == Role.CLERK:
            return Scope(level=Level.TOWNSHIP, unit_id=self.township_id)
        if self.role == Role.REVIEWER:
            return Scope(level=Level.COUNTY, unit_id=self.county_id)
        if self.role == Role.MUNICIPAL:
            return Scope(level=Level.MUNICIPALITY, unit_id=self.municipality_id)
        if self.role == Role.ADMIN or (not self.role and self.is_superuser):
            return Scope(everything=True)
        return Scope()

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username

    @property
    def scope(self) -> Scope:
        return Scope.of(self)

    @property
    def home_municipality_id(self) -> int | None:
        """The municipality the user works in; None for admins (every one) and role-less users."""
        if self.role == Role.MUNICIPAL:
            return self.municipality_id
        if self.role == Role.REVIEWER and self.county_id:
            return self.county.municipality_id
        if self.role == Role.CLERK and self.township_id:
            return self.township.county.municipality_id
        return None

    @property
    def home_unit(self):
        """The unit this user's work starts from, or None for admins and role-less users."""
        field = ROLE_UNIT_FIELD.get(self.role)
        return getattr(self, field) if field else None
