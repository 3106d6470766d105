"""Excel uploads: one file a clerk sent, what checking it found, and whether it was applied."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from wuqiang.accounts.scope import ScopedQuerySet
from wuqiang.regions.models import Level


class BatchState(models.TextChoices):
    CHECKING = "checking", _("Checking")
    REFUSED = "refused", _("Refused")
    READY = "ready", _("Ready to apply")
    APPLYING = "applying", _("Applying")
    APPLIED = "applied", _("Applied")
    FAILED = "failed", _("Not applied")


class ImportBatch(models.Model):
    """One uploaded template: the sheet and year it is for, what checking found (every error
    with its cell, or the preview of the changes) and whether it was applied, whole or not at all.

    Only the clerk who uploaded it sees it; the file lives under MEDIA_ROOT, which nothing serves."""

    scope_paths = {
        Level.MUNICIPALITY: "township__county__municipality_id",
        Level.COUNTY: "township__county_id",
        Level.TOWNSHIP: "township_id",
    }

    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
                                    verbose_name=_("uploaded by"))
    township = models.ForeignKey("regions.Township", on_delete=models.CASCADE, related_name="+",
                                 verbose_name=_("township"))
    year = models.ForeignKey("regions.AssessmentYear", on_delete=models.CASCADE, related_name="+",
                             verbose_name=_("year"))
    sheet = models.CharField(_("sheet"), max_length=32)
    filename = models.CharField(_("file name"), max_length=160)
    file = models.FileField(_("file"), upload_to="imports/", blank=True)
    # The language the clerk uploaded in: messages and the preview are written in it.
    language = models.CharField(_("language"), max_length=8, default="zh-hans")
    size = models.PositiveBigIntegerField(_("size (bytes)"), default=0)
    state = models.CharField(_("state"), max_length=8, choices=BatchState, default=BatchState.CHECKING)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    message = models.TextField(_("message"), blank=True)
    # [{"sheet", "row", "column", "field", "value", "message"}], in sheet and row order.
    errors = models.JSONField(_("errors"), default=list, blank=True)
    # Per unit: what applying would change (old → new per field, rows added and removed).
    preview = models.JSONField(_("preview"), default=list, blank=True)
    # The parsed input per unit code with the version it was downloaded at, applied on confirm.
    payload = models.JSONField(_("parsed input"), default=dict, blank=True)
    units = models.PositiveIntegerField(_("villages"), default=0)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True, db_index=True)
    applied_at = models.DateTimeField(_("applied at"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("Excel upload")
        verbose_name_plural = _("Excel uploads")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["uploaded_by", "-created_at"], name="import_batch_user_idx")]

    def __str__(self) -> str:
        return f"{self.filename} · {self.sheet} · {self.year_id} · {self.state}"

    @property
    def is_finished(self) -> bool:
        return self.state in (BatchState.REFUSED, BatchState.READY, BatchState.APPLIED, BatchState.FAILED)

    @property
    def changed_units(self) -> int:
        return sum(1 for unit in self.preview if unit.get("changes"))
