"""Tickets in the shared world (tests/conftest.py): county X (townships A, B), county Y (C)."""

from __future__ import annotations

import datetime
import io
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from wuqiang.tickets import services
from wuqiang.tickets.models import Category, Severity, Ticket, today

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n%" + b"x" * 64 + b"\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _english():
    """Messages the tests compare with are English (the portal defaults to Chinese)."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def client(client):
    """The test client, with English chosen by the language switch (the site defaults to Chinese)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def ticket_input(**overrides: Any) -> services.TicketInput:
    values: dict[str, Any] = {
        "title": "三会一课 records missing", "problem": "No minutes for March and April.",
        "category": Category.ORGANIZATION, "severity": Severity.RECTIFY,
        "deadline": today() + datetime.timedelta(days=10),
    }
    values.update(overrides)
    return services.TicketInput(**values)


def issue(actor, unit, **overrides: Any) -> Ticket:
    return services.ticket_issue(actor=actor, unit=unit, data=ticket_input(**overrides))


def make_overdue(ticket: Ticket, days: int = 3) -> Ticket:
    """Move the deadline into the past directly (a ticket cannot be issued so), then recount."""
    Ticket.objects.filter(pk=ticket.pk).update(deadline=today() - datetime.timedelta(days=days))
    services.tally_refresh(municipality_id=ticket.municipality_id)
    ticket.refresh_from_db()
    return ticket


def upload(content: bytes = PNG, name: str = "photo.png", content_type: str = "image/png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def stream(content: bytes) -> io.BytesIO:
    return io.BytesIO(content)
