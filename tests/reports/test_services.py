"""The export services and tasks: delivery choice, the worker's build, retention, the audit
hook, and (PostgreSQL leg) a real Celery worker building the city's report."""

from __future__ import annotations

import datetime
import os
import time
from pathlib import Path

import pytest
from celery.schedules import crontab
from django.conf import settings
from django.db import connection
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from tests.reports.conftest import YEAR, downloaded, export, read, signed_in, table
from wuqiang.reports import selectors, services, tasks
from wuqiang.reports.models import ExportKind, ExportState, ReportExport

pytestmark = pytest.mark.django_db


def queued(user, code="520300", level=1) -> ReportExport:
    unit = selectors.visible_unit_or_404(user, code)
    return ReportExport.objects.create(requested_by=user, scope_level=level, scope_code=code, scope_name=unit.name,
                                       year_id=YEAR, language="en")


@pytest.mark.parametrize(("persona", "code", "kind", "worker"), [
    ("municipal", "520300", ExportKind.REPORT, True),
    ("municipal", "520302", ExportKind.REPORT, False),
    ("clerk_a", "520302001", ExportKind.REPORT, False),
    ("municipal", "520300", ExportKind.DEMONSTRATION, False),
])
def test_the_city_goes_to_the_worker_and_small_reports_are_built_at_once(scored, people, persona, code, kind,
                                                                         worker):
    user = people[persona]
    unit = selectors.visible_unit_or_404(user, code)

    assert services.goes_to_worker(actor=user, unit=unit, kind=kind) is worker


def test_the_worker_builds_the_file_under_the_private_media_root(scored, people, settings):
    exported = queued(people["municipal"])

    tasks.build_report_task(exported.pk)

    exported.refresh_from_db()
    path = Path(exported.file.path)
    assert (exported.state, exported.progress, exported.size) == (ExportState.DONE, 100, path.stat().st_size)
    assert path.parent.parent == Path(settings.MEDIA_ROOT) / "reports"
    assert not list(path.parent.glob("*.part"))
    assert exported.started_at <= exported.finished_at


def test_a_redelivered_task_leaves_a_finished_export_alone(scored, people):
    exported = queued(people["municipal"])
    tasks.build_report_task(exported.pk)
    exported.refresh_from_db()
    first = exported.file.name

    tasks.build_report_task(exported.pk)

    exported.refresh_from_db()
    assert exported.file.name == first and exported.state == ExportState.DONE


def test_a_failed_build_is_recorded_with_a_plain_message_and_leaves_no_file(scored, people, monkeypatch, settings):
    exported = queued(people["municipal"])
    monkeypatch.setattr(services, "build_report", lambda **kwargs: (_ for _ in ()).throw(RuntimeError("disk full")))

    with pytest.raises(RuntimeError):
        tasks.build_report_task(exported.pk)

    exported.refresh_from_db()
    assert exported.state == ExportState.FAILED
    assert "could not be built" in exported.message and "disk full" not in exported.message
    assert not exported.file
    assert not [p for p in (Path(settings.MEDIA_ROOT) / "reports").rglob("*") if p.is_file()]


def test_the_worker_checks_the_scope_again_when_it_builds(scored, people):
    user = people["municipal"]
    exported = queued(user)
    # Moved to a county's review between asking and the build.
    user.role, user.municipality, user.county = "reviewer", None, scored.county_x
    user.save()

    with pytest.raises(Http404):
        tasks.build_report_task(exported.pk)

    exported.refresh_from_db()
    assert exported.state == ExportState.FAILED


def test_a_finished_file_cannot_be_downloaded_once_its_requester_no_longer_sees_the_scope(
        client, scored, people, eager_celery, django_capture_on_commit_callbacks):
    user = people["municipal"]
    with django_capture_on_commit_callbacks(execute=True):
        export(client, user, "520300", "municipality")
    exported = ReportExport.objects.get(state=ExportState.DONE)
    user.role, user.municipality, user.county = "reviewer", None, scored.county_x
    user.save()

    assert signed_in(client, user).get(reverse("reports:download", args=[exported.pk])).status_code == 404


def test_every_export_reports_who_took_which_scope_and_year(client, scored, people, monkeypatch, eager_celery,
                                                            django_capture_on_commit_callbacks):
    seen = []
    monkeypatch.setattr(services, "export_happened", lambda **kwargs: seen.append(kwargs))

    export(client, people["reviewer_x"], "520302", "county")
    with django_capture_on_commit_callbacks(execute=True):
        export(client, people["municipal"], "520300", "municipality")

    assert [(s["actor"].username, s["scope_code"], s["year"], s["kind"]) for s in seen] == [
        ("reviewer_x", "520302", YEAR, "report"), ("municipal", "520300", YEAR, "report")]


def test_exports_past_the_retention_period_are_removed_with_their_files(scored, people, settings):
    settings.REPORT_RETENTION_HOURS = 24
    old, recent = queued(people["municipal"]), queued(people["municipal"])
    for exported in (old, recent):
        tasks.build_report_task(exported.pk)
    ReportExport.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(hours=25))
    old.refresh_from_db()
    recent.refresh_from_db()
    orphan = Path(settings.MEDIA_ROOT) / "reports" / "7" / "left-by-a-crash.part"
    orphan.parent.mkdir(parents=True)
    orphan.write_bytes(b"x")
    stale = (timezone.now() - datetime.timedelta(hours=30)).timestamp()
    os.utime(orphan, (stale, stale))

    assert tasks.purge_expired_exports() == 1

    assert list(ReportExport.objects.all()) == [recent]
    assert not Path(old.file.path).exists() and Path(recent.file.path).exists()
    assert not orphan.exists()


def test_the_beat_purges_expired_exports_hourly():
    entry = settings.CELERY_BEAT_SCHEDULE["purge-report-exports"]

    assert entry["task"] == "wuqiang.reports.tasks.purge_expired_exports"
    assert entry["schedule"] == crontab(minute=15)


def test_the_purge_command_reports_what_it_removed(scored, people):
    from io import StringIO

    from django.core.management import call_command

    exported = queued(people["municipal"])
    ReportExport.objects.filter(pk=exported.pk).update(created_at=timezone.now() - datetime.timedelta(days=3))
    out = StringIO()

    call_command("purge_exports", stdout=out)

    assert "Removed 1 exports" in out.getvalue()


# --- A real worker (PostgreSQL leg) ---------------------------------------------------------------


@pytest.mark.postgres
def test_a_real_worker_builds_the_city_report_and_the_page_shows_progress_then_the_link(
        real_worker, scored, people, client, settings, monkeypatch):
    worker = real_worker(MEDIA_ROOT=str(settings.MEDIA_ROOT))
    queue = worker.queue
    send = tasks.build_report_task.apply_async
    monkeypatch.setattr(tasks.build_report_task, "delay",
                        lambda *args, **kwargs: send(args=args, kwargs=kwargs, queue=queue))

    response = export(client, people["municipal"], "520300", "municipality")
    exported = ReportExport.objects.get()
    page_url = reverse("reports:export", args=[exported.pk])
    assert response["Location"] == page_url

    # Queued: the page shows the state and a progress bar, the link stays hidden.
    page = client.get(page_url).content.decode()
    assert 'data-testid="export-progress"' in page and 'aria-valuenow="0"' in page
    assert 'data-testid="export-download"' in page and " hidden>" in page

    worker.start()
    seen = []
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        status = client.get(page_url + "?format=json").json()
        seen.append((status["state"], status["progress"]))
        if status["done"]:
            break
        time.sleep(0.2)
    assert status["state"] == "done", worker.output()[-3000:]
    progress = [p for _state, p in seen]
    assert progress == sorted(progress) and progress[-1] == 100

    page = client.get(page_url).content.decode()
    assert " hidden>" not in page
    download = client.get(status["download_url"])
    assert download.status_code == 200
    assert len(table(read(downloaded(download)), "Villages")) == 5


@pytest.mark.postgres
def test_a_report_reads_one_snapshot_on_postgresql(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")

    with services._consistent_reads(), connection.cursor() as cursor:
        cursor.execute("SHOW transaction_isolation")
        isolation = cursor.fetchone()[0]
        cursor.execute("SHOW transaction_read_only")
        read_only = cursor.fetchone()[0]

    assert (isolation, read_only) == ("repeatable read", "on")
