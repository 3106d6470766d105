"""One (unit, pillar, year) sheet of data, its review state, and the history of every change.

Each pillar app stores its values in a profile (one row per entry) and record lists (many
rows per entry), built on the abstract bases below; the state, version and history live here
once for all five pillars.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from wuqiang.accounts.scope import ScopedQuerySet
from wuqiang.regions.models import Level


class Pillar(models.TextChoices):
    """The five strongs; values are the pillar apps' labels."""

    ORGANIZATIONS = "organizations", _("Strong organisational function")
    TALENT = "talent", _("Strong talent team")
    ECONOMY = "economy", _("Strong collective economy")
    GOVERNANCE = "governance", _("Strong governance")
    SUPPORT = "support", _("Strong support")


class EntryState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned")
    APPROVED = "approved", _("Approved")


# Clerks may change an entry only in these states; reviewers act only on submitted ones.
EDITABLE_STATES = (EntryState.DRAFT, EntryState.RETURNED)


# A township's own sheets (village empty) follow its villages' sheets in the review queue.
VILLAGE_SHEET_MARK, TOWNSHIP_SHEET_MARK = "0", "1"


def entry_sort_code(township_code: str, village_code: str | None) -> str:
    """The review queue's order of an entry, stored on it (``Entry.sort_code``): its township's
    code, then ``0`` and its village's code, or ``1`` for a township-level sheet. Digits only, so
    every collation orders it as (township code, village code with township sheets last, …) did
    through joins on PostgreSQL."""
    if village_code is None:
        return f"{township_code}{TOWNSHIP_SHEET_MARK}"
    return f"{township_code}{VILLAGE_SHEET_MARK}{village_code}"


class Entry(models.Model):
    """One village's (or township's) data for one pillar in one assessment year, with its
    review state: draft → submitted → approved, or returned with the reviewer's comment."""

    scope_paths = {
        Level.MUNICIPALITY: "county__municipality_id",
        Level.COUNTY: "county_id",
        Level.TOWNSHIP: "township_id",
        Level.VILLAGE: "village_id",
    }

    year = models.ForeignKey("regions.AssessmentYear", on_delete=models.PROTECT, related_name="entries",
                             verbose_name=_("year"))
    pillar = models.CharField(_("pillar"), max_length=16, choices=Pillar)
    # Village-level sheets carry the village; township-level sheets (e.g. the 五小) leave it empty.
    village = models.ForeignKey("regions.Village", on_delete=models.PROTECT, null=True, blank=True,
                                related_name="entries", verbose_name=_("village"))
    township = models.ForeignKey("regions.Township", on_delete=models.PROTECT, related_name="entries",
                                 verbose_name=_("township"))
    # Denormalised so a county's review queue is one indexed filter.
    county = models.ForeignKey("regions.County", on_delete=models.PROTECT, related_name="entries",
                               verbose_name=_("county"))
    # The review queue's order (``entry_sort_code``): set by ``services.new_entry`` and by the bulk
    # builders, refreshed when a village or township is re-coded (``services.refresh_sort_codes``),
    # so a county's queue pages through one index instead of sorting every sheet through joins.
    sort_code = models.CharField(_("sort code"), max_length=22, editable=False, default="")

    state = models.CharField(_("state"), max_length=12, choices=EntryState, default=EntryState.DRAFT)
    # Bumped by every write; a save that carries an older version is refused (optimistic lock).
    version = models.PositiveIntegerField(_("version"), default=0)
    is_complete = models.BooleanField(_("complete"), default=False)
    review_comment = models.TextField(_("reviewer's comment"), blank=True)
    # Values far from the previous year (see quality.py), and the clerk's explanation of them.
    quality_flags = models.JSONField(_("values flagged for review"), default=list, blank=True, editable=False)
    flag_explanation = models.TextField(_("explanation of the flagged values"), blank=True)

    updated_at = models.DateTimeField(_("updated at"), null=True, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("updated by"))
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+", verbose_name=_("submitted by"))
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("reviewed by"))
    # The values as last approved, so a reviewer sees what changed since (see snapshots.py).
    approved_snapshot = models.JSONField(_("values at last approval"), null=True, blank=True, editable=False)
    # The values when a reviewer last returned the entry (cleared by approval): after the fix
    # and resubmission the reviewer sees what changed since the return.
    returned_snapshot = models.JSONField(_("values when returned"), null=True, blank=True, editable=False)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("entry")
        verbose_name_plural = _("entries")
        ordering = ["year", "village", "pillar"]
        constraints = [
            models.UniqueConstraint(fields=["village", "year", "pillar"], condition=Q(village__isnull=False),
                                    name="entry_unique_per_village"),
            models.UniqueConstraint(fields=["township", "year", "pillar"], condition=Q(village__isnull=True),
                                    name="entry_unique_per_township_sheet"),
        ]
        indexes = [
            # The review queue: a county's sheets of a year in queue order, with no sort for any
            # state or all of them (the state is checked on the index entries; a county's range
            # is a few thousand entries at most).
            models.Index(fields=["county", "year", "sort_code", "pillar", "state"], name="entry_review_queue_idx"),
            # The flagged submitted sheets (few), for the queue's count of them per township.
            models.Index(fields=["county", "year", "state", "township"], condition=~Q(quality_flags=[]),
                         name="entry_flagged_idx"),
            models.Index(fields=["township", "year"], name="entry_work_board_idx"),
            models.Index(fields=["year", "pillar", "state"], name="entry_scoring_idx"),
        ]

    def __str__(self) -> str:
        unit = self.village or self.township
        return f"{unit} · {self.get_pillar_display()} · {self.year_id}"

    @property
    def unit(self):
        return self.village if self.village_id else self.township

    @property
    def is_editable_state(self) -> bool:
        return self.state in EDITABLE_STATES


class EntryTally(models.Model):
    """How many of a county's village sheets of a year are in each state: what the city
    dashboard shows as still pending, without counting every entry of the city on each view.
    Recounted for the county by the entry services whenever a sheet is created or changes state
    (``tallies.refresh_tallies``, under a lock on the county) and by every roll-up."""

    county = models.ForeignKey("regions.County", on_delete=models.CASCADE, related_name="+",
                               verbose_name=_("county"))
    year = models.ForeignKey("regions.AssessmentYear", on_delete=models.CASCADE, related_name="+",
                             verbose_name=_("year"))
    state = models.CharField(_("state"), max_length=12, choices=EntryState)
    entries = models.PositiveIntegerField(_("entries"), default=0)

    class Meta:
        verbose_name = _("entry tally")
        verbose_name_plural = _("entry tallies")
        constraints = [models.UniqueConstraint(fields=["county", "year", "state"], name="entry_tally_unique")]

    def __str__(self) -> str:
        return f"{self.county_id} · {self.year_id} · {self.state}: {self.entries}"


class PillarProfile(models.Model):
    """Base of a pillar's one-row-per-entry values; its primary key is the entry."""

    entry = models.OneToOneField(Entry, on_delete=models.CASCADE, primary_key=True,
                                 related_name="%(app_label)s_%(class)s", verbose_name=_("entry"))

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return str(self._meta.verbose_name)


class PillarRecord(models.Model):
    """Base of a pillar's record lists (meetings, cadres, …): many rows per entry."""

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="%(app_label)s_%(class)s_set",
                              verbose_name=_("entry"))
    # Fields holding a date that must fall inside the entry's year (checked by the record form).
    dates_in_year: tuple[str, ...] = ()

    class Meta:
        abstract = True
        ordering = ["pk"]

    def entry_year(self) -> int | None:
        """The year of the row's entry, once attached (the forms attach it before cleaning)."""
        try:
            return self.entry.year_id
        except ObjectDoesNotExist:
            return None


class ChangeAction(models.TextChoices):
    CREATED = "created", _("Created")
    UPDATED = "updated", _("Updated")
    DELETED = "deleted", _("Deleted")
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    RETURNED = "returned", _("Returned")
    REOPENED = "reopened", _("Reopened")
    EXTENDED = "extended", _("Extension granted")


class ChangeSource(models.TextChoices):
    """Which door a change came through: the same services serve all of them."""

    WEB = "web", _("Web form")
    IMPORT = "import", _("Excel upload")
    API = "api", _("API")
    SYSTEM = "system", _("System")


class ChangeQuerySet(ScopedQuerySet):
    pass


class Change(models.Model):
    """One line of an entry's history: who did what when, with old → new values."""

    scope_paths = {
        Level.MUNICIPALITY: "entry__county__municipality_id",
        Level.COUNTY: "entry__county_id",
        Level.TOWNSHIP: "entry__township_id",
        Level.VILLAGE: "entry__village_id",
    }

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="changes", verbose_name=_("entry"))
    at = models.DateTimeField(_("when"), db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                              related_name="+", verbose_name=_("who"))
    action = models.CharField(_("action"), max_length=12, choices=ChangeAction)
    # "app_label.model" of the row changed; empty for workflow steps on the entry itself.
    object_type = models.CharField(_("object type"), max_length=64, blank=True)
    object_id = models.CharField(_("object id"), max_length=32, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    # {field: [old, new]} in stored (not display) form; see snapshots.display_value.
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    source = models.CharField(_("through"), max_length=8, choices=ChangeSource, default=ChangeSource.WEB)

    objects = ChangeQuerySet.as_manager()

    class Meta:
        verbose_name = _("change")
        verbose_name_plural = _("changes")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.object_repr}"


class ExtensionQuerySet(ScopedQuerySet):
    def active(self, now=None) -> ExtensionQuerySet:
        from django.utils import timezone

        return self.filter(until__gt=now or timezone.now())


class EntryExtension(models.Model):
    """A lock exception: in a closed year, one entry may again be returned, reopened, changed and
    resubmitted until ``until``, because municipal staff granted it (DHIS2 calls these lock
    exceptions). Granting is recorded; an extension is never edited, only superseded."""

    scope_paths = {
        Level.MUNICIPALITY: "entry__county__municipality_id",
        Level.COUNTY: "entry__county_id",
        Level.TOWNSHIP: "entry__township_id",
        Level.VILLAGE: "entry__village_id",
    }

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="extensions", verbose_name=_("entry"))
    until = models.DateTimeField(_("until"))
    reason = models.CharField(_("reason"), max_length=200)
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                   related_name="+", verbose_name=_("granted by"))
    granted_at = models.DateTimeField(_("granted at"))

    objects = ExtensionQuerySet.as_manager()

    class Meta:
        verbose_name = _("entry extension")
        verbose_name_plural = _("entry extensions")
        ordering = ["-granted_at", "-pk"]
        indexes = [models.Index(fields=["entry", "until"], name="entry_extension_active_idx")]

    def __str__(self) -> str:
        return f"{self.entry_id} → {self.until:%Y-%m-%d}"
