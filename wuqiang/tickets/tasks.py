"""Celery tasks of the tickets app: thin wrappers around the services."""

from __future__ import annotations

from celery import shared_task

from wuqiang.tickets.services import tallies_refresh_all


@shared_task(name="wuqiang.tickets.tasks.refresh_ticket_tallies")
def refresh_ticket_tallies() -> int:
    """Nightly: recount open and overdue tickets per unit as of the new day (idempotent)."""
    return tallies_refresh_all()
