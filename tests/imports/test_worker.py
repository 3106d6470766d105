"""A large upload checked and applied by a real Celery worker (PostgreSQL leg): the page shows
the progress while it waits, then the preview, then the result."""

from __future__ import annotations

import time

import pytest
from django.urls import reverse

from tests.imports.conftest import as_bytes, confirm, download, profile_ws, set_field, upload
from wuqiang.imports import tasks
from wuqiang.imports.models import BatchState

ORG = "organizations"


def _wait(client, url: str, seconds: float = 90) -> dict:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        status = client.get(url, {"format": "json"}).json()
        if status["done"]:
            return status
        time.sleep(0.2)
    return status


@pytest.mark.postgres
def test_a_real_worker_checks_and_applies_a_large_upload(real_worker, clerk_client, world, year, settings,
                                                         monkeypatch):
    worker = real_worker(MEDIA_ROOT=str(settings.MEDIA_ROOT))
    settings.IMPORT_INLINE_MAX_BYTES = 1
    settings.IMPORT_INLINE_MAX_ROWS = 0
    queue = worker.queue
    for task in (tasks.check_batch_task, tasks.apply_batch_task):
        send = task.apply_async
        monkeypatch.setattr(task, "delay", lambda *a, _send=send, **k: _send(args=a, kwargs=k, queue=queue))

    workbook = download(clerk_client, world.township_a, year.year, ORG)
    set_field(profile_ws(workbook), world.village_a.code, ORG, "households", 234)
    _response, batch = upload(clerk_client, world.township_a, year.year, ORG, as_bytes(workbook))
    page_url = reverse("imports:batch", args=[batch.pk])
    assert batch.state == BatchState.CHECKING
    assert 'data-testid="import-progress"' in clerk_client.get(page_url).content.decode()

    worker.start()
    status = _wait(clerk_client, page_url)
    assert status["state"] == BatchState.READY, worker.output()[-3000:]
    assert 'data-testid="import-confirm"' in clerk_client.get(page_url).content.decode()

    confirm(clerk_client, batch)
    status = _wait(clerk_client, page_url)
    assert status["state"] == BatchState.APPLIED, worker.output()[-3000:]
    assert status["progress"] == 100
    from organizations.models import BranchProfile

    assert BranchProfile.objects.get(entry__village=world.village_a).households == 234
