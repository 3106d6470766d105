"""Celery beat's daily pruning of the audit log."""

from __future__ import annotations

from celery import shared_task

from wuqiang.audit.services import prune


@shared_task(name="wuqiang.audit.tasks.prune_audit_log")
def prune_audit_log() -> int:
    """Delete events older than AUDIT_RETENTION_DAYS; idempotent, so a second run deletes nothing."""
    return prune()
