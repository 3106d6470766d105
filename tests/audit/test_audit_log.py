"""The security audit log: a row with actor, address, time and object for every listed event;
readable, filterable and exportable by administrators only; pruned after the retention."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from tests.factories import PASSWORD
from tests.security.conftest import sign_in
from wuqiang.audit.models import AuditEvent, EventKind
from wuqiang.audit.services import record
from wuqiang.audit.tasks import prune_audit_log
from wuqiang.regions.models import MunicipalYear, YearState

pytestmark = pytest.mark.django_db


def _only(kind: EventKind) -> AuditEvent:
    return AuditEvent.objects.get(kind=kind)


def test_a_sign_in_is_recorded_with_actor_address_time_and_account(client, clerk_a):
    before = timezone.now()

    sign_in(client, clerk_a.username, address="10.20.30.40")

    event = _only(EventKind.LOGIN)
    assert (event.actor_id, event.actor_username, event.ip_address) == (clerk_a.pk, "clerk_a", "10.20.30.40")
    assert (event.object_type, event.object_id) == ("accounts.user", str(clerk_a.pk))
    assert before <= event.occurred_at <= timezone.now()
    assert event.path == "/accounts/login/"


def test_a_failed_sign_in_names_the_account_tried_and_no_actor(client, clerk_a):
    sign_in(client, clerk_a.username, "not-the-password")
    sign_in(client, "nobody-by-that-name", "not-the-password")

    tried, unknown = AuditEvent.objects.filter(kind=EventKind.LOGIN_FAILED).order_by("pk")
    assert (tried.actor_id, tried.actor_username, tried.object_id) == (None, "clerk_a", str(clerk_a.pk))
    assert (unknown.actor_username, unknown.object_id) == ("nobody-by-that-name", "")
    assert "not-the-password" not in str(tried.detail) + str(unknown.detail)


def test_a_sign_out_is_recorded(client, clerk_a):
    sign_in(client, clerk_a.username)

    client.post("/accounts/logout/")

    event = _only(EventKind.LOGOUT)
    assert (event.actor_id, event.ip_address, event.detail) == (clerk_a.pk, "127.0.0.1", {"reason": "signed out"})


def test_refused_access_to_a_scoped_object_is_recorded(clerk_a, world, login_as):
    client = login_as(clerk_a)
    url = f"/villages/{world.village_c.code}/"

    assert client.get(url).status_code == 404

    event = _only(EventKind.ACCESS_DENIED)
    assert (event.actor_id, event.path, event.ip_address) == (clerk_a.pk, url, "127.0.0.1")
    assert event.detail["status"] == 404 and event.detail["view"] == "regions:village"
    assert "matches the given query" in event.detail["reason"]


def test_a_forbidden_page_is_recorded_as_a_403(clerk_a, login_as):
    login_as(clerk_a).get("/audit/")

    assert _only(EventKind.ACCESS_DENIED).detail["status"] == 403


def test_anonymous_misses_and_favicon_misses_are_not_recorded(client, clerk_a, login_as):
    client.get("/no-such-page/")
    login_as(clerk_a).get("/favicon.ico")

    assert not AuditEvent.objects.filter(kind=EventKind.ACCESS_DENIED).exists()


def test_admin_changes_are_recorded_with_the_change(admin_client, admin_user, world, year):
    settings = MunicipalYear.objects.get(municipality=world.municipality, year=year)
    response = admin_client.post(f"/admin/regions/municipalyear/{settings.pk}/change/", {
        "entry_opens": "2021-01-01", "entry_closes": "2022-04-30",
        "state_changes-TOTAL_FORMS": 0, "state_changes-INITIAL_FORMS": 0,
    })
    assert response.status_code == 302, response.content.decode()[:3000]

    event = _only(EventKind.ADMIN_CHANGE)
    assert (event.actor_id, event.object_type, event.object_id) == (admin_user.pk, "regions.municipalyear",
                                                                    str(settings.pk))
    assert event.detail["action"] == "change"
    assert event.detail["changes"] == [{"changed": {"fields": ["Entry closes"]}}]


def test_a_year_state_change_is_recorded_with_from_and_to(world, year, municipal):
    from wuqiang.regions.services import year_set_state

    settings = MunicipalYear.objects.get(municipality=world.municipality, year=year)
    year_set_state(year=settings, actor=municipal, to_state=YearState.CLOSED, note="按期截止")

    event = _only(EventKind.YEAR_STATE)
    assert (event.actor_id, event.object_type, event.object_id) == (municipal.pk, "regions.municipalyear",
                                                                    str(settings.pk))
    assert (event.detail["from_state"], event.detail["to_state"], event.detail["year"]) == ("open", "closed", 2021)


def test_bulk_deletions_in_the_admin_are_recorded_per_object(admin_client, admin_user):
    from tests.factories import UserFactory

    doomed = [UserFactory(username=f"leaver{n}") for n in range(3)]

    admin_client.post("/admin/accounts/user/", {
        "action": "delete_selected", "_selected_action": [u.pk for u in doomed], "post": "yes"})

    deleted = AuditEvent.objects.filter(kind=EventKind.ADMIN_CHANGE, detail__action="delete")
    assert sorted(deleted.values_list("object_repr", flat=True)) == ["leaver0", "leaver1", "leaver2"]


def test_a_password_set_by_an_admin_is_recorded_as_set_by_someone_else(admin_client, clerk_a):
    admin_client.post(f"/admin/accounts/user/{clerk_a.pk}/password/", {
        "password1": "Lin-shi-mima-2021", "password2": "Lin-shi-mima-2021", "usable_password": "true"})

    event = _only(EventKind.PASSWORD_CHANGE)
    assert event.object_id == str(clerk_a.pk) and event.detail == {"set_by_other": True}


@pytest.mark.parametrize(("kind", "detail"), [
    (EventKind.YEAR_STATE, {"from_state": "open", "to_state": "closed"}),
    (EventKind.EXPORT, {"what": "scorecards", "year": 2021, "format": "xlsx"}),
    (EventKind.IMPORT, {"pillar": "economy", "rows": 12, "accepted": True}),
    (EventKind.TOKEN_CREATED, {"name": "county dashboard"}),
    (EventKind.TOKEN_REVOKED, {"name": "county dashboard"}),
])
def test_the_events_other_features_will_record_take_the_documented_arguments(rf, municipal, year, kind, detail):
    request = rf.post("/somewhere/", REMOTE_ADDR="10.0.0.7")
    request.user = municipal

    event = record(kind, request=request, obj=year, **detail)

    event.refresh_from_db()
    assert (event.actor_id, event.ip_address, event.object_type, event.object_id) == (
        municipal.pk, "10.0.0.7", "regions.assessmentyear", "2021")
    assert event.detail == detail


def test_an_event_without_a_request_still_records_its_actor(municipal, world):
    event = record(EventKind.EXPORT, actor=municipal, obj=world.county_x, what="county report")

    assert (event.actor_username, event.ip_address, event.path, event.object_repr) == (
        "municipal", None, "", str(world.county_x))


# --- Reading it ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["clerk_a", "reviewer_x", "municipal", "no_role_user"])
def test_only_administrators_read_the_audit_log(persona, login_as, name):
    client = login_as(persona(name))

    assert client.get("/audit/").status_code == 403
    assert client.get("/audit/export.csv").status_code == 403
    assert "/audit/" not in client.get("/accounts/two-factor/").content.decode()


def test_an_administrator_lists_and_filters_the_events(admin_user, clerk_a, client, login_as):
    sign_in(client, clerk_a.username, address="10.1.1.1")
    sign_in(client, "mallory", "guess-guess-guess", address="10.6.6.6")
    admin = login_as(admin_user)

    everything = admin.get("/audit/")
    failures = admin.get("/audit/", {"kind": EventKind.LOGIN_FAILED})
    by_address = admin.get("/audit/", {"ip_address": "10.1.1.1"})

    assert everything.status_code == 200
    assert {e.kind for e in everything.context["page_obj"]} >= {EventKind.LOGIN, EventKind.LOGIN_FAILED}
    assert [e.actor_username for e in failures.context["page_obj"]] == ["mallory"]
    assert {e.actor_username for e in by_address.context["page_obj"]} == {"clerk_a"}
    assert "mallory" in everything.content.decode()


def test_the_export_is_a_csv_of_the_filtered_events_with_formulas_defused(admin_user, client, login_as):
    sign_in(client, "=HYPERLINK(\"http://evil\")", "guess-guess-guess")
    sign_in(client, "mallory", "guess-guess-guess")
    admin = login_as(admin_user)

    response = admin.get("/audit/export.csv", {"kind": EventKind.LOGIN_FAILED})

    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith('attachment; filename="audit-log-')
    assert response["X-Content-Type-Options"] == "nosniff"
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    usernames = [row[2] for row in rows[1:]]
    assert sorted(usernames) == ["'=HYPERLINK(\"http://evil\")", "mallory"]
    assert _only(EventKind.EXPORT).detail == {"what": "audit log", "format": "csv",
                                              "filters": {"kind": "login_failed"}}


def test_the_admin_lists_events_read_only(admin_client, clerk_a):
    event = record(EventKind.LOGIN, actor=clerk_a, obj=clerk_a)

    assert admin_client.get("/admin/audit/auditevent/").status_code == 200
    assert admin_client.get(f"/admin/audit/auditevent/{event.pk}/change/").status_code == 200
    assert admin_client.get(f"/admin/audit/auditevent/{event.pk}/delete/").status_code == 403
    assert admin_client.get("/admin/audit/auditevent/add/").status_code == 403


# --- Retention ---------------------------------------------------------------------------------


def _aged(days: int) -> AuditEvent:
    event = record(EventKind.LOGIN, username=f"aged{days}")
    AuditEvent.objects.filter(pk=event.pk).update(occurred_at=timezone.now() - datetime.timedelta(days=days))
    return event


def test_the_prune_command_keeps_the_retention_period(settings):
    settings.AUDIT_RETENTION_DAYS = 180
    _aged(181), _aged(179)

    out = io.StringIO()
    call_command("prune_audit_log", stdout=out)

    assert list(AuditEvent.objects.values_list("actor_username", flat=True)) == ["aged179"]
    assert "Deleted 1 audit events older than 180 days" in out.getvalue()


def test_the_prune_command_takes_another_period(settings):
    _aged(40), _aged(20)

    call_command("prune_audit_log", "--days", "30", stdout=io.StringIO())

    assert list(AuditEvent.objects.values_list("actor_username", flat=True)) == ["aged20"]


def test_the_nightly_task_prunes_and_is_scheduled(settings):
    settings.AUDIT_RETENTION_DAYS = 365
    _aged(400), _aged(10)

    assert prune_audit_log() == 1
    assert prune_audit_log() == 0
    assert settings.CELERY_BEAT_SCHEDULE["prune-audit-log"]["task"] == "wuqiang.audit.tasks.prune_audit_log"


def test_factory_password_is_long_enough_for_the_policy():
    assert len(PASSWORD) >= 12
