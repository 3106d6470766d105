"""Inspection tickets (督查罚单): a problem found in inspection, given to a unit with a deadline,
answered with the rectification and closed by the office that issued it (SPEC §6)."""

from __future__ import annotations

import datetime
import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wuqiang.accounts.scope import ScopedQuerySet
from wuqiang.regions.models import Level


class Category(models.TextChoices):
    ORGANIZATION = "organization", _("Organisation")
    TALENT = "talent", _("Talent")
    ECONOMY = "economy", _("Economy")
    GOVERNANCE = "governance", _("Governance")
    SUPPORT = "support", _("Support")
    OTHER = "other", _("Other")


class Severity(models.TextChoices):
    REMINDER = "reminder", _("Reminder")
    RECTIFY = "rectify", _("Rectify")
    NOTICE = "notice", _("Public notice")


class TicketState(models.TextChoices):
    ISSUED = "issued", _("Issued")
    ANSWERED = "answered", _("Answered")
    CLOSED = "closed", _("Closed out")


OPEN_STATES = (TicketState.ISSUED, TicketState.ANSWERED)


def today() -> datetime.date:
    """The portal's today (Asia/Shanghai): overdue is decided against it everywhere."""
    return timezone.localdate()


class TicketQuerySet(ScopedQuerySet):
    def open(self) -> TicketQuerySet:
        return self.filter(state__in=OPEN_STATES)

    def overdue(self, on: datetime.date | None = None) -> TicketQuerySet:
        """Past the deadline and not closed, as of ``on`` (default today)."""
        return self.open().filter(deadline__lt=on or today())

    def not_overdue(self, on: datetime.date | None = None) -> TicketQuerySet:
        return self.exclude(Q(state__in=OPEN_STATES) & Q(deadline__lt=on or today()))

    def to_unit(self, unit) -> TicketQuerySet:
        """Tickets to ``unit`` or to any unit inside it."""
        return self.filter(**{self.model.scope_paths[unit.level]: unit.pk})


class Ticket(models.Model):
    """One inspection ticket: a problem at a county, township or village, its deadline and its
    state (issued → answered → closed, or sent back from answered to issued)."""

    scope_paths = {
        Level.MUNICIPALITY: "municipality_id",
        Level.COUNTY: "county_id",
        Level.TOWNSHIP: "township_id",
        Level.VILLAGE: "village_id",
    }

    municipality = models.ForeignKey("regions.Municipality", on_delete=models.PROTECT, related_name="tickets",
                                     verbose_name=_("municipality"))
    # The target is the deepest unit set; the units above it are filled in for scope and tallies.
    county = models.ForeignKey("regions.County", on_delete=models.PROTECT, related_name="tickets",
                               verbose_name=_("county"))
    township = models.ForeignKey("regions.Township", on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="tickets", verbose_name=_("township"))
    village = models.ForeignKey("regions.Village", on_delete=models.PROTECT, null=True, blank=True,
                                related_name="tickets", verbose_name=_("village"))
    target_level = models.PositiveSmallIntegerField(_("level of the unit"), choices=Level.choices)

    issuer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="tickets_issued",
                               verbose_name=_("issued by"))
    issuer_level = models.PositiveSmallIntegerField(_("issued at level"), choices=Level.choices)
    title = models.CharField(_("problem"), max_length=120)
    problem = models.TextField(_("problem found"), max_length=4000)
    category = models.CharField(_("category"), max_length=16, choices=Category)
    severity = models.CharField(_("severity"), max_length=12, choices=Severity, default=Severity.RECTIFY)
    entry = models.ForeignKey("entries.Entry", on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="tickets", verbose_name=_("pillar entry"))
    indicator_code = models.CharField(_("indicator"), max_length=32, blank=True)
    deadline = models.DateField(_("deadline"))

    state = models.CharField(_("state"), max_length=12, choices=TicketState, default=TicketState.ISSUED)
    answer = models.TextField(_("rectification"), blank=True, max_length=4000)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("answered by"))
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = TicketQuerySet.as_manager()

    class Meta:
        verbose_name = _("inspection ticket")
        verbose_name_plural = _("inspection tickets")
        ordering = ["-issued_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(target_level=Level.COUNTY, township__isnull=True, village__isnull=True)
                           | Q(target_level=Level.TOWNSHIP, township__isnull=False, village__isnull=True)
                           | Q(target_level=Level.VILLAGE, township__isnull=False, village__isnull=False)),
                name="ticket_target_matches_level"),
        ]
        indexes = [
            models.Index(fields=["county", "state", "deadline"], name="ticket_county_state_idx"),
            models.Index(fields=["township", "state", "deadline"], name="ticket_township_state_idx"),
            models.Index(fields=["municipality", "state", "deadline"], name="ticket_city_state_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.title}"

    @property
    def target(self):
        return self.village or self.township or self.county

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    def days_left(self, on: datetime.date | None = None) -> int | None:
        """Days until the deadline while open (negative once past); None once closed."""
        return (self.deadline - (on or today())).days if self.is_open else None

    @property
    def days_left_today(self) -> int | None:
        return self.days_left()

    @property
    def days_overdue(self) -> int:
        left = self.days_left()
        return -left if left is not None and left < 0 else 0

    @property
    def is_overdue(self) -> bool:
        left = self.days_left()
        return left is not None and left < 0


class EventAction(models.TextChoices):
    ISSUED = "issued", _("Issued")
    ANSWERED = "answered", _("Answered")
    CLOSED = "closed", _("Closed (accepted)")
    REJECTED = "rejected", _("Sent back")
    EXTENDED = "extended", _("Deadline extended")
    ATTACHED = "attached", _("File attached")


class TicketEvent(models.Model):
    """One step of a ticket's timeline: who did what, when, with their comment."""

    scope_paths = {level: f"ticket__{path}" for level, path in Ticket.scope_paths.items()}

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events", verbose_name=_("ticket"))
    at = models.DateTimeField(_("when"), default=timezone.now)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+",
                              verbose_name=_("who"))
    action = models.CharField(_("action"), max_length=12, choices=EventAction)
    comment = models.TextField(_("comment"), blank=True)
    old_deadline = models.DateField(_("old deadline"), null=True, blank=True)
    new_deadline = models.DateField(_("new deadline"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("ticket event")
        verbose_name_plural = _("ticket events")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.action}"


def attachment_path(instance: TicketAttachment, filename: str) -> str:
    # The stored name is random: nothing the uploader typed reaches the file system.
    return str(PurePosixPath("tickets", str(instance.ticket_id), f"{uuid.uuid4().hex}.{instance.kind}"))


class TicketAttachment(models.Model):
    """A photo or PDF attached to a ticket as evidence, kept under MEDIA_ROOT/tickets/."""

    scope_paths = {level: f"ticket__{path}" for level, path in Ticket.scope_paths.items()}

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="attachments",
                               verbose_name=_("ticket"))
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=150)
    size = models.PositiveIntegerField(_("size"))
    # What the content is (sniffed, see wuqiang.core.files), not what the browser said.
    kind = models.CharField(_("type"), max_length=8)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                    related_name="+", verbose_name=_("uploaded by"))
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("ticket attachment")
        verbose_name_plural = _("ticket attachments")
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.original_name

    @property
    def content_type(self) -> str:
        from wuqiang.core.files import CONTENT_TYPES, FileKind

        return CONTENT_TYPES[FileKind(self.kind)]


class TicketTally(models.Model):
    """Stored open and overdue ticket counts of one unit (its own tickets and those of the units
    inside it) as of a date; the dashboards read these, the nightly job and every ticket change
    refresh them."""

    municipality = models.ForeignKey("regions.Municipality", on_delete=models.CASCADE, related_name="+",
                                     verbose_name=_("municipality"))
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices)
    unit_id = models.PositiveIntegerField(_("unit"))
    open_count = models.PositiveIntegerField(_("open"), default=0)
    overdue_count = models.PositiveIntegerField(_("overdue"), default=0)
    as_of = models.DateField(_("as of"))

    class Meta:
        verbose_name = _("ticket tally")
        verbose_name_plural = _("ticket tallies")
        constraints = [models.UniqueConstraint(fields=["level", "unit_id"], name="ticket_tally_unique_unit")]
        indexes = [models.Index(fields=["municipality", "level"], name="ticket_tally_city_level_idx")]

    def __str__(self) -> str:
        return f"{self.level}:{self.unit_id} {self.open_count}/{self.overdue_count}"
