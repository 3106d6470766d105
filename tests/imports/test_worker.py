"""A large upload checked and applied by a real Celery worker (PostgreSQL leg): the page shows
the progress while it waits, then the preview, then the result."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.db import connection
from django.urls import reverse

from tests.imports.conftest import as_bytes, confirm, download, profile_ws, set_field, upload
from wuqiang.imports import tasks
from wuqiang.imports.models import BatchState

ORG = "organizations"


def _database_url() -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def _wait(client, url: str, seconds: float = 90) -> dict:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        status = client.get(url, {"format": "json"}).json()
        if status["done"]:
            return status
        time.sleep(0.2)
    return status


@pytest.mark.postgres
def test_a_real_worker_checks_and_applies_a_large_upload(transactional_db, clerk_client, world, year, settings,
                                                         tmp_path, monkeypatch):
    if connection.vendor != "postgresql" or not settings.CELERY_BROKER_URL:
        pytest.skip("needs PostgreSQL and a Celery broker (DATABASE_URL, CELERY_BROKER_URL)")
    settings.IMPORT_INLINE_MAX_BYTES = 1
    settings.IMPORT_INLINE_MAX_ROWS = 0
    # A queue of its own, so the test neither takes nor leaves messages of other runs.
    queue = f"imports-test-{uuid.uuid4().hex[:8]}"
    for task in (tasks.check_batch_task, tasks.apply_batch_task):
        send = task.apply_async
        monkeypatch.setattr(task, "delay", lambda *a, _send=send, **k: _send(args=a, kwargs=k, queue=queue))

    workbook = download(clerk_client, world.township_a, year.year, ORG)
    set_field(profile_ws(workbook), world.village_a.code, ORG, "households", 234)
    _response, batch = upload(clerk_client, world.township_a, year.year, ORG, as_bytes(workbook))
    page_url = reverse("imports:batch", args=[batch.pk])
    assert batch.state == BatchState.CHECKING
    assert 'data-testid="import-progress"' in clerk_client.get(page_url).content.decode()

    log = tmp_path / "worker.log"
    env = {**os.environ, "DATABASE_URL": _database_url(), "MEDIA_ROOT": str(settings.MEDIA_ROOT)}
    root = Path(__file__).resolve().parents[2]
    with log.open("wb") as out:
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "wuqiang", "worker", "--pool=solo", "-l", "info",
             "-Q", queue, "--without-gossip", "--without-mingle"],
            cwd=root, env=env, stdout=out, stderr=subprocess.STDOUT,
        )
    try:
        status = _wait(clerk_client, page_url)
        assert status["state"] == BatchState.READY, log.read_text()[-3000:]
        assert 'data-testid="import-confirm"' in clerk_client.get(page_url).content.decode()

        confirm(clerk_client, batch)
        status = _wait(clerk_client, page_url)
        assert status["state"] == BatchState.APPLIED, log.read_text()[-3000:]
        assert status["progress"] == 100
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
    from organizations.models import BranchProfile

    assert BranchProfile.objects.get(entry__village=world.village_a).households == 234
