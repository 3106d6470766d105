"""Celery tasks of the reports app: thin wrappers that take ids and call the services."""

from __future__ import annotations

from celery import shared_task

from wuqiang.reports import services


@shared_task(name="wuqiang.reports.tasks.build_report_task")
def build_report_task(export_id: int) -> dict:
    """Build one queued export's workbook (a finished export is left alone if redelivered)."""
    export = services.export_build(export_id=export_id)
    return {"export": export_id, "state": export.state if export else None}


@shared_task(name="wuqiang.reports.tasks.purge_expired_exports")
def purge_expired_exports() -> int:
    """Hourly (beat): remove exports older than REPORT_RETENTION_HOURS, files and rows."""
    return services.exports_purge()
