"""Writes of the reports app: asking for an export, building it, and removing old ones.

A report is delivered one of two ways (``goes_to_worker``):

* **directly** — a township's or county's report, up to ``REPORT_DIRECT_MAX_VILLAGES``
  villages (default 500, about half a second to build), and every demonstration list: built
  in the request and downloaded at once;
* **through a Celery worker** — the city's report always, and any report over the
  threshold: a ``ReportExport`` row shows its progress, and its file is kept for the user
  who asked (only them) until ``REPORT_RETENTION_HOURS`` have passed. In the embedded
  default Celery runs eagerly, so the export is finished when the page shows it.
"""

from __future__ import annotations

import logging
import os
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.utils import timezone, translation

from wuqiang.audit.models import EventKind
from wuqiang.audit.services import record
from wuqiang.regions.models import Level
from wuqiang.reports import selectors
from wuqiang.reports.models import ExportKind, ExportState, ReportExport
from wuqiang.reports.workbook import (
    BuildResult,
    Progress,
    build_demonstration_list,
    build_report,
    export_filename,
)
from wuqiang.scoring.models import NominationStatus

logger = logging.getLogger(__name__)

EXPORT_DIR = "reports"
PROGRESS_TIMEOUT = 3600


class ExportRefused(Exception):
    """The export cannot be made as asked (``str(error)`` says why, in the user's language)."""


@dataclass
class DirectExport:
    """A report built in the request: an open temporary file, deleted when closed."""

    file: IO[bytes]
    filename: str


def export_happened(*, actor: Any, kind: str, scope_code: str, scope_level: int, year: int) -> None:
    """The one place where an export is known to have happened: who took which scope's data
    for which year (called when a file is built for someone, whichever way it is delivered).
    The audit log hooks in here."""
    logger.info("export kind=%s scope=%s level=%s year=%s by=%s", kind, scope_code, scope_level, year,
                getattr(actor, "username", "operator"))
    # A user of the portal, or the server's operator running export_report (no account).
    user = actor if getattr(actor, "pk", None) is not None else None
    record(EventKind.EXPORT, actor=user, username=None if user else getattr(actor, "username", "operator"),
           what=kind, scope=scope_code, level=scope_level, year=year, format="xlsx")


def _language(language: str) -> str:
    codes = [code for code, _name in settings.LANGUAGES]
    return language if language in codes else settings.LANGUAGE_CODE


def goes_to_worker(*, actor: Any, unit: Any, kind: str) -> bool:
    """Whether an export is built by a Celery worker rather than in the request."""
    if kind != ExportKind.REPORT:
        return False
    return unit.level == Level.MUNICIPALITY or selectors.villages_in(actor, unit) > settings.REPORT_DIRECT_MAX_VILLAGES


def export_request(*, actor: Any, unit: Any, year: int, kind: str = ExportKind.REPORT, language: str,
                   status: str = "") -> ReportExport | DirectExport:
    """Export ``unit``'s report (or demonstration list) for ``year`` as ``actor`` may see it.

    ``unit`` must already have come through the access helper. Returns the built file for a
    direct export, or the queued ``ReportExport`` whose worker task starts after commit."""
    if kind not in ExportKind.values:
        raise ExportRefused(translation.gettext("Unknown kind of export."))
    if status and status not in NominationStatus.values:
        raise ExportRefused(translation.gettext("Unknown nomination status."))
    language = _language(language)
    if not goes_to_worker(actor=actor, unit=unit, kind=kind):
        return _build_direct(actor=actor, unit=unit, year=year, kind=kind, language=language, status=status)
    request = {"requested_by": actor, "kind": kind, "scope_level": unit.level, "scope_code": unit.code,
               "year_id": year, "language": language, "status_filter": status}
    # A second click (or a reload) while the same export is still being built follows that one.
    pending = ReportExport.objects.filter(**request, state__in=(ExportState.QUEUED, ExportState.RUNNING)).first()
    if pending is not None:
        return pending
    export = ReportExport.objects.create(**request, scope_name=unit.name)

    def enqueue() -> None:
        from wuqiang.reports.tasks import build_report_task

        try:
            build_report_task.delay(export.pk)
        except Exception:  # the broker is down: say so on the export's page rather than fail the request
            logger.exception("Could not queue export %s", export.pk)
            ReportExport.objects.filter(pk=export.pk, state=ExportState.QUEUED).update(
                state=ExportState.FAILED, finished_at=timezone.now(),
                message=translation.gettext("The report could not be queued; try again later."))

    transaction.on_commit(enqueue)
    return export


def _build(*, actor: Any, unit: Any, year: int, kind: str, status: str, output: str | IO[bytes],
           progress: Progress | None = None) -> None:
    with _consistent_reads():
        if kind == ExportKind.DEMONSTRATION:
            build_demonstration_list(actor=actor, unit=unit, year=year, output=output, status=status)
        else:
            build_report(actor=actor, unit=unit, year=year, output=output, progress=progress)


def _build_direct(*, actor: Any, unit: Any, year: int, kind: str, language: str, status: str) -> DirectExport:
    file = tempfile.TemporaryFile(prefix="wuqiang-report-")
    try:
        with translation.override(language):
            _build(actor=actor, unit=unit, year=year, kind=kind, status=status, output=file)
            filename = export_filename(kind, unit, year)
    except BaseException:
        file.close()
        raise
    file.seek(0)
    export_happened(actor=actor, kind=kind, scope_code=unit.code, scope_level=unit.level, year=year)
    return DirectExport(file=file, filename=filename)


def export_to_file(*, actor: Any, unit: Any, year: int, output: str, kind: str = ExportKind.REPORT,
                   language: str = settings.LANGUAGE_CODE, progress: Progress | None = None,
                   tap: Any = None) -> BuildResult:
    """Build an export straight into ``output`` (the operators' ``export_report`` command)."""
    with translation.override(_language(language)), _consistent_reads():
        if kind == ExportKind.DEMONSTRATION:
            result = build_demonstration_list(actor=actor, unit=unit, year=year, output=output)
        else:
            result = build_report(actor=actor, unit=unit, year=year, output=output, progress=progress, tap=tap)
    export_happened(actor=actor, kind=kind, scope_code=unit.code, scope_level=unit.level, year=year)
    return result


@contextmanager
def _consistent_reads() -> Iterator[None]:
    """One snapshot for every query of a report on PostgreSQL, so a roll-up committing while
    the workbook is written cannot mix old and new figures in it. (SQLite: the demo, one
    writer at a time anyway; a transaction there would lock out writers.)"""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            # Streaming reads gain nothing from compiling their plans (JIT costs a second or
            # more per large query); sorting a province's meetings by village wants room.
            cursor.execute("SET LOCAL jit TO off")
            cursor.execute("SET LOCAL work_mem TO '64MB'")
        yield


# --- The worker's side ---------------------------------------------------------------------------


def progress_key(export_id: int) -> str:
    return f"reports:progress:{export_id}"


def export_build(*, export_id: int) -> ReportExport | None:
    """Build a queued export's file (the Celery task's body). Safe to run twice: a finished
    export is left alone, an interrupted one is built again from the start."""
    export = ReportExport.objects.select_related("requested_by").filter(pk=export_id).first()
    if export is None or export.state == ExportState.DONE:
        return export
    ReportExport.objects.filter(pk=export.pk).update(state=ExportState.RUNNING, started_at=timezone.now(),
                                                     progress=0, message="")
    user = export.requested_by
    name = f"{EXPORT_DIR}/{user.pk}/{uuid.uuid4().hex}.xlsx"
    final = Path(default_storage.path(name))
    final.parent.mkdir(parents=True, exist_ok=True)
    partial = final.with_suffix(".part")

    # The report's reads may run in one read-only transaction: progress goes to the cache.
    def progress(percent: int, message: str) -> None:
        cache.set(progress_key(export.pk), {"progress": percent, "message": message}, timeout=PROGRESS_TIMEOUT)

    try:
        # The scope is checked again now: the user's role may have changed since they asked.
        unit = selectors.visible_unit_or_404(user, export.scope_code, export.scope_level)
        with translation.override(export.language):
            _build(actor=user, unit=unit, year=export.year_id, kind=export.kind, status=export.status_filter,
                   output=str(partial), progress=progress)
        os.replace(partial, final)
    except Exception:
        partial.unlink(missing_ok=True)
        logger.exception("Export %s failed", export.pk)
        with translation.override(export.language):
            message = translation.gettext("The report could not be built. Try again; if it fails again, tell the "
                                          "system administrator.")
        ReportExport.objects.filter(pk=export.pk).update(state=ExportState.FAILED, finished_at=timezone.now(),
                                                         message=message)
        raise
    finally:
        cache.delete(progress_key(export.pk))
    ReportExport.objects.filter(pk=export.pk).update(state=ExportState.DONE, progress=100, file=name,
                                                     size=final.stat().st_size, finished_at=timezone.now())
    export_happened(actor=user, kind=export.kind, scope_code=export.scope_code, scope_level=export.scope_level,
                    year=export.year_id)
    export.refresh_from_db()
    return export


def exports_purge(*, now: datetime | None = None) -> int:
    """Delete exports requested more than ``REPORT_RETENTION_HOURS`` ago, files and rows, and
    any file left in the exports folder by an interrupted build. Returns the rows deleted."""
    cutoff = (now or timezone.now()) - timedelta(hours=settings.REPORT_RETENTION_HOURS)
    expired = ReportExport.objects.filter(created_at__lt=cutoff)
    for name in expired.exclude(file="").values_list("file", flat=True):
        default_storage.delete(name)
    deleted, _ = expired.delete()
    folder = Path(settings.MEDIA_ROOT) / EXPORT_DIR
    if folder.is_dir():
        for path in folder.glob("*/*"):
            if path.is_file() and path.stat().st_mtime < cutoff.timestamp():
                path.unlink(missing_ok=True)
    return deleted
