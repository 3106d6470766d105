"""Exports through the web: scoped like the dashboards, small ones downloaded at once, the
city's through the worker with a progress page, files for their requester only."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.reports.conftest import YEAR, downloaded, export, read, signed_in, table
from wuqiang.reports.models import ExportKind, ExportState, ReportExport
from wuqiang.scoring.models import DemonstrationNomination, NominationStatus

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def villages_in(workbook) -> list[str]:
    return [row["Village code"] for row in table(workbook, "Villages")]


def city_export(client, people, django_capture_on_commit_callbacks, user="municipal") -> ReportExport:
    with django_capture_on_commit_callbacks(execute=True):
        response = export(client, people[user], "520300", "municipality")
    exported = ReportExport.objects.get(requested_by=people[user])
    assert response.status_code == 302 and response["Location"] == reverse("reports:export", args=[exported.pk])
    return exported


# --- Scope ---------------------------------------------------------------------------------------


def test_a_reviewers_county_report_holds_only_that_county(client, scored, people):
    response = export(client, people["reviewer_x"], "520302", "county")

    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert response["Content-Disposition"].startswith("attachment;")
    workbook = read(downloaded(response))
    assert villages_in(workbook) == ["520302001201", "520302001202", "520302001203", "520302100201"]
    assert [row["Division code"] for row in table(workbook, "League table of townships")] in (
        ["520302001", "520302100"], ["520302100", "520302001"])
    assert "League table of counties" not in workbook.sheetnames


def test_an_export_is_in_the_audit_log_with_who_and_which_scope(client, scored, people):
    from wuqiang.audit.models import AuditEvent, EventKind

    export(client, people["reviewer_x"], "520302", "county")

    event = AuditEvent.objects.get(kind=EventKind.EXPORT)
    assert event.actor == people["reviewer_x"]
    assert (event.detail["scope"], event.detail["year"]) == ("520302", 2021)


@pytest.mark.parametrize(("persona", "scope", "level"), [
    ("reviewer_x", "520303", "county"),
    ("reviewer_x", "520303100", "township"),
    ("reviewer_x", "520300", "municipality"),
    ("clerk_a", "520302100", "township"),
    ("clerk_a", "520302", "county"),
    ("clerk_b", "520302001201", "village"),
    ("nobody", "520302001", "township"),
])
def test_asking_for_a_report_outside_ones_scope_is_404(client, scored, people, persona, scope, level):
    assert export(client, people[persona], scope, level).status_code == 404
    assert not ReportExport.objects.exists()


def test_a_clerks_township_report_holds_only_their_villages(client, scored, people):
    response = export(client, people["clerk_a"], "520302001", "township")

    workbook = read(downloaded(response))
    assert villages_in(workbook) == ["520302001201", "520302001202", "520302001203"]
    profiles = {row["Village code"] for row in table(workbook, "Strong organisational function")}
    assert profiles == {"520302001201", "520302001202"}  # A3 entered nothing
    assert [row["Township code"] for row in table(workbook, "Township facilities")] == ["520302001"]


def test_another_users_finished_file_is_404(client, scored, people, eager_celery, django_capture_on_commit_callbacks):
    exported = city_export(client, people, django_capture_on_commit_callbacks)
    exported.refresh_from_db()
    assert exported.state == ExportState.DONE

    for intruder in ("municipal_2", "reviewer_x", "admin"):
        signed_in(client, people[intruder])
        assert client.get(reverse("reports:download", args=[exported.pk])).status_code == 404
        assert client.get(reverse("reports:export", args=[exported.pk])).status_code == 404
        assert client.get(reverse("reports:export", args=[exported.pk]) + "?format=json").status_code == 404
    signed_in(client, people["municipal"])
    assert client.get(reverse("reports:download", args=[exported.pk])).status_code == 200


# --- Delivery -------------------------------------------------------------------------------------


def test_the_city_report_goes_through_the_worker_and_the_page_links_the_file(
        client, scored, people, eager_celery, django_capture_on_commit_callbacks):
    exported = city_export(client, people, django_capture_on_commit_callbacks)

    page = client.get(reverse("reports:export", args=[exported.pk]))
    status = client.get(reverse("reports:export", args=[exported.pk]) + "?format=json").json()
    download = client.get(reverse("reports:download", args=[exported.pk]))

    assert status["state"] == "done" and status["progress"] == 100 and status["done"] is True
    assert status["download_url"] == reverse("reports:download", args=[exported.pk])
    html = page.content.decode()
    assert 'data-testid="export-download"' in html and " hidden>" not in html
    assert 'src="/static/js/reports.js"' in html and "<script>" not in html
    assert download.status_code == 200 and "no-store" in download["Cache-Control"]
    assert len(villages_in(read(downloaded(download)))) == 5
    assert "filename*=utf-8''" in download["Content-Disposition"] or "filename=" in download["Content-Disposition"]


def test_a_report_over_the_village_threshold_also_goes_to_the_worker(
        client, scored, people, settings, eager_celery, django_capture_on_commit_callbacks):
    settings.REPORT_DIRECT_MAX_VILLAGES = 3
    with django_capture_on_commit_callbacks(execute=True):
        response = export(client, people["reviewer_x"], "520302", "county")

    exported = ReportExport.objects.get()
    assert response.status_code == 302
    assert (exported.scope_code, exported.state, exported.language) == ("520302", ExportState.DONE, "en")


def test_a_queued_export_shows_its_progress_until_the_worker_picks_it_up(client, scored, people, monkeypatch,
                                                                        django_capture_on_commit_callbacks):
    from wuqiang.reports import tasks

    monkeypatch.setattr(tasks.build_report_task, "delay", lambda *args, **kwargs: None)
    with django_capture_on_commit_callbacks(execute=True):
        export(client, people["municipal"], "520300", "municipality")
    exported = ReportExport.objects.get()

    page = client.get(reverse("reports:export", args=[exported.pk])).content.decode()
    status = client.get(reverse("reports:export", args=[exported.pk]) + "?format=json").json()

    assert (status["state"], status["progress"], status["done"], status["download_url"]) == ("queued", 0, False, None)
    assert 'data-export-status="' in page and 'data-testid="export-download"' in page and " hidden>" in page
    assert client.get(reverse("reports:download", args=[exported.pk])).status_code == 404


def test_asking_again_while_an_export_is_being_built_follows_the_same_export(
        client, scored, people, monkeypatch, django_capture_on_commit_callbacks):
    from wuqiang.reports import tasks

    queued = []
    monkeypatch.setattr(tasks.build_report_task, "delay", lambda *args, **kwargs: queued.append(args))
    with django_capture_on_commit_callbacks(execute=True):
        first = export(client, people["municipal"], "520300", "municipality")
        second = export(client, people["municipal"], "520300", "municipality")

    assert first["Location"] == second["Location"]
    assert ReportExport.objects.count() == 1 and len(queued) == 1


def test_the_demonstration_list_exports_on_its_own(client, scored, people):
    DemonstrationNomination.objects.create(year_id=YEAR, village=scored.a1, status=NominationStatus.CONFIRMED)

    response = export(client, people["municipal"], kind=ExportKind.DEMONSTRATION, status="confirmed")

    assert response.status_code == 200
    workbook = read(downloaded(response))
    assert workbook.sheetnames == ["Demonstration villages 2021"]
    assert [row["Village code"] for row in table(workbook, "Demonstration villages 2021")] == ["520302001201"]


@pytest.mark.parametrize("post", [
    {"scope": "52030", "level": "county"},
    {"scope": "520302", "level": "county", "year": "next"},
    {"scope": "520302", "level": "county", "kind": "everything"},
    {"scope": "", "level": "county"},
    {"scope": "520302", "level": "planet"},
])
def test_bad_input_gets_a_message_and_changes_nothing(client, scored, people, post):
    signed_in(client, people["reviewer_x"])
    data = {"year": YEAR, "kind": "report", "next": "/dashboard/counties/520302/", **post}

    response = client.post(reverse("reports:export-start"), data, follow=True)

    assert response.redirect_chain[0] == ("/dashboard/counties/520302/", 302)
    assert list(response.context["messages"])
    assert not ReportExport.objects.exists()


def test_exports_need_a_post(client, scored, people):
    signed_in(client, people["reviewer_x"])

    assert client.get(reverse("reports:export-start"), {"scope": "520302", "year": YEAR}).status_code == 405


def test_a_user_lists_only_their_own_exports(client, scored, people, eager_celery, django_capture_on_commit_callbacks):
    mine = city_export(client, people, django_capture_on_commit_callbacks)
    theirs = city_export(client, people, django_capture_on_commit_callbacks, user="municipal_2")

    signed_in(client, people["municipal"])
    listed = list(client.get(reverse("reports:exports")).context["exports"])

    assert listed == [mine] and theirs not in listed


# --- Buttons ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("persona", "address", "scope"), [
    ("municipal", "/dashboard/municipalities/520300/", "520300"),
    ("reviewer_x", "/dashboard/counties/520302/", "520302"),
    ("clerk_a", "/dashboard/townships/520302001/", "520302001"),
    ("clerk_a", "/dashboard/villages/520302001201/", "520302001201"),
])
def test_every_dashboard_has_an_export_button_for_its_unit(client, scored, people, persona, address, scope):
    page = signed_in(client, people[persona]).get(f"{address}?year={YEAR}").content.decode()

    assert 'data-testid="export-report"' in page
    assert f'name="scope" value="{scope}"' in page and f'name="year" value="{YEAR}"' in page


def test_the_demonstration_page_has_an_export_button(client, scored, people):
    url = reverse("scoring:demonstration", args=["520300", YEAR])
    page = signed_in(client, people["municipal"]).get(url).content.decode()

    assert 'data-testid="export-demonstration"' in page and 'value="demonstration"' in page
