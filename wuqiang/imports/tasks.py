"""Celery tasks of the imports app: thin wrappers that take ids and call the services."""

from __future__ import annotations

from celery import shared_task

from wuqiang.imports import services


@shared_task(name="wuqiang.imports.tasks.check_batch_task")
def check_batch_task(batch_id: int) -> dict:
    """Check a large upload (a batch already checked is left alone if redelivered)."""
    batch = services.batch_check(batch_id=batch_id)
    return {"batch": batch_id, "state": batch.state if batch else None}


@shared_task(name="wuqiang.imports.tasks.apply_batch_task")
def apply_batch_task(batch_id: int) -> dict:
    """Apply a large confirmed upload in one transaction (an applied batch is left alone)."""
    batch = services.batch_apply(batch_id=batch_id)
    return {"batch": batch_id, "state": batch.state if batch else None}


@shared_task(name="wuqiang.imports.tasks.purge_import_files")
def purge_import_files() -> int:
    """Nightly (beat): remove uploaded files older than IMPORT_RETENTION_DAYS."""
    return services.files_purge()
