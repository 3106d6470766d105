"""Exports: one requested Excel file, kept for the user who asked for it until it expires."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from wuqiang.regions.models import Level


class ExportKind(models.TextChoices):
    """What an export holds."""

    REPORT = "report", _("Assessment report")
    DEMONSTRATION = "demonstration", _("Demonstration villages")


class ExportState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class ReportExport(models.Model):
    """An Excel report a user asked for: which scope and year, how far it is, and its file.

    Only the user who asked may see or download it; the file lives under MEDIA_ROOT, which
    nothing serves, and is deleted with the row after REPORT_RETENTION_HOURS."""

    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
                                     verbose_name=_("requested by"))
    kind = models.CharField(_("kind"), max_length=16, choices=ExportKind, default=ExportKind.REPORT)
    scope_level = models.PositiveSmallIntegerField(_("scope level"), choices=Level)
    scope_code = models.CharField(_("scope code"), max_length=12)
    scope_name = models.CharField(_("scope"), max_length=64)
    year = models.ForeignKey("regions.AssessmentYear", on_delete=models.CASCADE, related_name="+",
                             verbose_name=_("year"))
    language = models.CharField(_("language"), max_length=8)
    # Only for the demonstration list: the status it was filtered by ("" = every status).
    status_filter = models.CharField(_("status filter"), max_length=12, blank=True)
    state = models.CharField(_("state"), max_length=8, choices=ExportState, default=ExportState.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    message = models.TextField(_("message"), blank=True)
    file = models.FileField(_("file"), upload_to="reports/", blank=True)
    size = models.PositiveBigIntegerField(_("size (bytes)"), null=True, blank=True)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("report export")
        verbose_name_plural = _("report exports")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["requested_by", "-created_at"], name="report_export_user_idx")]

    def __str__(self) -> str:
        return f"{self.scope_code} · {self.year_id} · {self.state}"

    @property
    def is_finished(self) -> bool:
        return self.state in (ExportState.DONE, ExportState.FAILED)
