"""The API's platform: tokens (hashed, expiring, revocable, counted towards the lockout), session
with CSRF, throttling with 429 and Retry-After, one JSON error body and never an HTML page under
/api/, bounded query counts on every list, and an OpenAPI schema that validates."""

from __future__ import annotations

import datetime

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from tests import factories
from tests.api.conftest import API, token_client
from wuqiang.api.models import ApiToken, hash_token
from wuqiang.api.services import token_create, token_revoke
from wuqiang.audit.models import AuditEvent, EventKind
from wuqiang.security.gate import MFA_KEY

pytestmark = pytest.mark.django_db


# --- Tokens ---------------------------------------------------------------------------------------------


def test_a_token_is_stored_only_as_its_hash_and_its_creation_is_audited(clerk_a):
    token, raw = token_create(user=clerk_a, name="县统计系统")

    stored = ApiToken.objects.get(pk=token.pk)
    assert raw not in {getattr(stored, f.attname) for f in ApiToken._meta.concrete_fields}
    assert stored.key_hash == hash_token(raw) and raw.startswith(f"wq_{stored.prefix}_")
    event = AuditEvent.objects.get(kind=EventKind.TOKEN_CREATED)
    assert event.actor == clerk_a and raw not in str(event.detail)


def test_a_valid_token_authenticates_as_its_owner_and_records_its_use(world, clerk_a):
    token, raw = token_create(user=clerk_a, name="t")
    client = APIClient(HTTP_AUTHORIZATION=f"Bearer {raw}")

    assert client.get(f"{API}/villages/").json()["count"] == 2
    assert ApiToken.objects.get(pk=token.pk).last_used_at is not None


@pytest.mark.parametrize("spoil", ["revoked", "expired", "wrong_secret", "unknown", "garbage", "inactive_user"])
def test_a_bad_token_is_401_with_the_json_body(world, clerk_a, spoil):
    token, raw = token_create(user=clerk_a, name="t")
    if spoil == "revoked":
        token_revoke(token=token, actor=clerk_a)
    elif spoil == "expired":
        ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    elif spoil == "wrong_secret":
        raw = raw[:-4] + "XXXX"
    elif spoil == "unknown":
        raw = "wq_abcdef12_" + "x" * 40
    elif spoil == "garbage":
        raw = "not a token"
    else:
        clerk_a.is_active = False
        clerk_a.save()

    response = APIClient(HTTP_AUTHORIZATION=f"Bearer {raw}").get(f"{API}/villages/")

    assert response.status_code == 401
    assert response.json()["code"] in ("authentication_failed", "not_authenticated")
    assert response["Content-Type"] == "application/json"


def test_wrong_tokens_count_towards_the_lockout_and_then_429_with_retry_after(world, clerk_a, settings):
    settings.LOGIN_FAILURES_PER_ADDRESS = 3
    token, raw = token_create(user=clerk_a, name="t")
    wrong = APIClient(HTTP_AUTHORIZATION=f"Bearer {raw[:-4]}XXXX")
    statuses = [wrong.get(f"{API}/villages/").status_code for _ in range(8)]

    assert statuses[0] == 401 and statuses[-1] == 429
    locked = wrong.get(f"{API}/villages/")
    assert locked.status_code == 429 and int(locked["Retry-After"]) > 0
    # While the account is locked out even its right token waits.
    assert APIClient(HTTP_AUTHORIZATION=f"Bearer {raw}").get(f"{API}/villages/").status_code == 429
    assert AuditEvent.objects.filter(kind=EventKind.LOGIN_FAILED, actor_username="clerk_a").exists()


def test_only_the_owner_revokes_a_token_and_revoking_is_audited(clerk_a, clerk_b):
    from django.core.exceptions import ValidationError

    token, _raw = token_create(user=clerk_a, name="t")
    with pytest.raises(ValidationError):
        token_revoke(token=token, actor=clerk_b)
    token_revoke(token=token, actor=clerk_a)
    assert AuditEvent.objects.filter(kind=EventKind.TOKEN_REVOKED, actor=clerk_a).count() == 1


# --- Sessions ------------------------------------------------------------------------------------------


def test_a_session_works_and_its_writes_need_the_csrf_token(flow, world, clerk_a):
    entry = flow.draft(world.village_a, clerk_a)
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(clerk_a)
    url = f"{API}/entries/{world.village_a.code}/2021/organizations/data/"

    assert client.get(url).status_code == 200
    refused = client.patch(url, {"profile": {"grids": 9}}, format="json", HTTP_IF_MATCH=f'"{entry.version}"')
    assert refused.status_code == 403 and "CSRF" in refused.json()["detail"]


def test_a_session_owing_a_second_factor_is_refused_as_json(world, clerk_a):
    client = APIClient()
    client.force_login(clerk_a)
    session = client.session
    session[MFA_KEY] = "verify"
    session.save()

    response = client.get(f"{API}/villages/")

    assert response.status_code == 403 and response["Content-Type"] == "application/json"


# --- Throttling -----------------------------------------------------------------------------------------


def test_too_many_requests_are_429_with_retry_after(world, clerk_a, settings):
    settings.API_THROTTLE_RATES = {"user": "3/minute", "anon": "2/minute"}
    client = token_client(clerk_a)
    statuses = [client.get(f"{API}/villages/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    throttled = client.get(f"{API}/villages/")
    assert throttled.json()["code"] == "throttled" and int(throttled["Retry-After"]) > 0

    anonymous = APIClient()
    assert [anonymous.get(f"{API}/villages/").status_code for _ in range(3)] == [401, 401, 429]


# --- Errors: JSON only -----------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/api/", "/api/v1/nothing-here/", "/api/v1/villages/123/", "/api/v2/villages/",
                                  "/api/v1/villages"])
def test_unknown_api_paths_are_json_404_not_the_portals_page(world, clerk_a, path):
    for client in (token_client(clerk_a), APIClient()):
        response = client.get(path)
        assert response.status_code in (401, 404), path
        assert response["Content-Type"] == "application/json"
        assert set(response.json()) >= {"detail", "code"}


def test_a_failing_endpoint_is_a_json_500_without_details(world, clerk_a, monkeypatch):
    from wuqiang.api import views

    def explode(*args, **kwargs):
        raise RuntimeError("a detail only the server should know")

    monkeypatch.setattr(views.VillageViewSet, "list", explode)
    client = token_client(clerk_a)
    client.raise_request_exception = False

    response = client.get(f"{API}/villages/")

    assert response.status_code == 500 and response["Content-Type"] == "application/json"
    assert response.json()["code"] == "server_error" and "detail only" not in response.content.decode()


def test_a_refused_read_is_in_the_audit_log_like_on_the_web(world, clerk_a):
    token_client(clerk_a).get(f"{API}/villages/{world.village_c.code}/")
    assert AuditEvent.objects.filter(kind=EventKind.ACCESS_DENIED, actor=clerk_a, detail__status=404).exists()


# --- Query counts ----------------------------------------------------------------------------------------

LISTS = ["municipalities", "counties", "townships", "villages", "years", "entries", "scorecards/villages",
         "scorecards/townships", "scorecards/counties", "scorecards/municipalities", "schemes", "nominations",
         "county-incomes"]


@pytest.mark.parametrize("endpoint", LISTS)
def test_every_list_takes_a_bounded_number_of_queries_whatever_the_page_holds(endpoint, everything, municipal):
    client = token_client(municipal)
    client.get(f"{API}/{endpoint}/")  # the token's first use writes last_used

    counts = []
    for page_size in (1, 500):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"{API}/{endpoint}/", {"page_size": page_size})
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 10, counts


def test_ten_more_villages_cost_no_more_queries(everything, municipal, world, year):
    from wuqiang.scoring.models import VillageScorecard

    client = token_client(municipal)
    client.get(f"{API}/villages/")

    def count() -> list[int]:
        counts = []
        for endpoint in ("villages", "scorecards/villages"):
            with CaptureQueriesContext(connection) as queries:
                assert client.get(f"{API}/{endpoint}/", {"page_size": 500}).status_code == 200
            counts.append(len(queries))
        return counts

    before = count()
    township = factories.TownshipFactory(county=world.county_x, code="520302200", name="新镇")
    for i in range(10):
        village = factories.VillageFactory(township=township, code=f"520302200{i:03d}", name=f"新{i}村")
        VillageScorecard.objects.create(year=year, village=village, township=township, county=world.county_x,
                                        municipality=world.municipality, computed_at=timezone.now())
    assert client.get(f"{API}/scorecards/villages/").json()["count"] == 16
    assert count() == before


# --- The schema ---------------------------------------------------------------------------------------------


def test_the_schema_validates_without_warnings(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml"))
    text = (tmp_path / "schema.yml").read_text(encoding="utf-8")
    assert "/api/v1/entries/{code}/{year}/{sheet}/data/" in text


def test_the_schema_and_the_docs_are_served_with_vendored_assets(world, clerk_a):
    client = token_client(clerk_a)
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200 and schema.json()["openapi"].startswith("3.")

    browser = APIClient()
    browser.force_login(clerk_a)
    docs = browser.get("/api/docs/")
    page = docs.content.decode()
    assert docs.status_code == 200 and "drf_spectacular_sidecar/swagger-ui-dist" in page
    assert "cdn" not in page.lower() and "https://" not in page
    assert "<script>" not in page  # the page's own script is a file: the CSP forbids inline scripts


def test_token_calls_make_no_session_and_set_no_cookie(world, clerk_a):
    from django.contrib.sessions.models import Session

    client = token_client(clerk_a)
    responses = [client.get(f"{API}/villages/") for _ in range(3)]

    assert all(r.status_code == 200 and not r.cookies for r in responses)
    assert not Session.objects.exists()
