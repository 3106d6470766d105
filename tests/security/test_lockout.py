"""Lockout with django-axes: per account (5 failures) and per address (20), on the portal's and
the admin's login page and for API tokens; a Chinese message with the time to retry; lifted by
the cool-off (15 minutes) or by municipal staff for their own users, or an admin; audited."""

from __future__ import annotations

import datetime

import pytest
from axes.models import AccessAttempt
from django.test import Client, RequestFactory
from django.utils import timezone

from tests.security.conftest import ADMIN_LOGIN, PORTAL_LOGIN, age_attempts, sign_in
from wuqiang.audit.models import AuditEvent, EventKind
from wuqiang.security import lockout

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("page", [PORTAL_LOGIN, ADMIN_LOGIN])
def test_five_wrong_passwords_lock_the_account_even_with_the_right_one_after(client, clerk_a, admin_user,
                                                                            fail_sign_in, page):
    user = admin_user if page == ADMIN_LOGIN else clerk_a

    before = fail_sign_in(user.username, 4, page=page)
    assert before.status_code == 200  # the form again, with its error

    locked = fail_sign_in(user.username, 1, page=page)
    assert locked.status_code == 429
    right_password = sign_in(client, user.username, page=page)

    assert right_password.status_code == 429
    assert "_auth_user_id" not in client.session
    page_text = right_password.content.decode()
    assert "登录失败次数过多" in page_text and "后再试" in page_text
    assert right_password["Retry-After"] == "900"


def test_the_lockout_message_names_the_time_to_try_again(client, clerk_a, fail_sign_in):
    fail_sign_in(clerk_a.username, 5)
    last_try = AccessAttempt.objects.get(username=clerk_a.username).attempt_time

    page = sign_in(client, clerk_a.username).content.decode()

    expected = timezone.localtime(last_try + datetime.timedelta(minutes=15)).strftime("%H:%M")
    assert f"请于 {expected}" in page or expected in page


def test_other_accounts_from_the_same_address_still_sign_in_under_the_address_limit(client, clerk_a, clerk_b,
                                                                                   fail_sign_in):
    fail_sign_in(clerk_a.username, 5)

    response = sign_in(client, clerk_b.username)

    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == clerk_b.pk


def test_twenty_failures_from_one_address_lock_the_address_for_every_account(client, clerk_a, fail_sign_in):
    for n in range(20):  # different made-up names: no single account reaches its limit
        fail_sign_in(f"guess{n}", 1, address="10.1.2.3")

    from_there = sign_in(client, clerk_a.username, address="10.1.2.3")
    from_elsewhere = sign_in(Client(), clerk_a.username, address="10.9.9.9")

    assert from_there.status_code == 429
    assert from_elsewhere.status_code == 302


def test_the_lockout_ends_by_itself_after_the_cool_off(client, clerk_a, fail_sign_in):
    fail_sign_in(clerk_a.username, 5)
    age_attempts(minutes=16)

    response = sign_in(client, clerk_a.username)

    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == clerk_a.pk


def test_tries_during_the_lockout_do_not_prolong_it(client, clerk_a, fail_sign_in):
    fail_sign_in(clerk_a.username, 5)
    age_attempts(minutes=10)
    fail_sign_in(clerk_a.username, 3)  # refused at once; must not restart the clock
    age_attempts(minutes=6)

    assert sign_in(client, clerk_a.username).status_code == 302


def test_lockout_and_failures_are_in_the_audit_log_with_address_and_account(client, clerk_a, fail_sign_in):
    fail_sign_in(clerk_a.username, 5, address="10.1.2.3")

    failures = AuditEvent.objects.filter(kind=EventKind.LOGIN_FAILED)
    locked = AuditEvent.objects.get(kind=EventKind.LOCKOUT)
    assert failures.count() == 5
    assert {(e.actor_username, e.ip_address, e.object_id) for e in failures} == {
        ("clerk_a", "10.1.2.3", str(clerk_a.pk))}
    assert (locked.actor_username, locked.ip_address, locked.object_id) == ("clerk_a", "10.1.2.3", str(clerk_a.pk))
    assert locked.detail == {"account_failures": 5, "address_failures": 5}
    assert locked.occurred_at is not None


# --- Unlocking ---------------------------------------------------------------------------------


def test_municipal_staff_see_and_unlock_a_locked_clerk_of_their_municipality(client, clerk_a, municipal,
                                                                            fail_sign_in, login_as):
    fail_sign_in(clerk_a.username, 5)
    staff = login_as(municipal)

    listing = staff.get("/accounts/lockouts/")
    assert listing.status_code == 200
    assert "clerk_a" in listing.content.decode()

    response = staff.post("/accounts/lockouts/unlock/", {"kind": "account", "value": "clerk_a"})

    assert response.status_code == 302
    assert not AccessAttempt.objects.filter(username="clerk_a").exists()
    assert sign_in(Client(), clerk_a.username).status_code == 302
    unlocked = AuditEvent.objects.get(kind=EventKind.UNLOCK)
    assert (unlocked.actor_id, unlocked.object_id) == (municipal.pk, str(clerk_a.pk))


def test_municipal_staff_cannot_unlock_an_account_of_another_municipality(client, municipal, login_as,
                                                                          fail_sign_in):
    from tests import factories

    other_city = factories.MunicipalityFactory(code="520400", name="安顺市")
    outsider = factories.MunicipalStaffFactory(username="anshun_staff", municipality=other_city)
    fail_sign_in(outsider.username, 5)
    staff = login_as(municipal)

    listing = staff.get("/accounts/lockouts/").content.decode()
    staff.post("/accounts/lockouts/unlock/", {"kind": "account", "value": outsider.username})

    assert "anshun_staff" not in listing
    assert AccessAttempt.objects.filter(username=outsider.username).exists()
    assert not AuditEvent.objects.filter(kind=EventKind.UNLOCK).exists()


def test_an_admin_unlocks_an_address(client, admin_user, clerk_a, login_as, fail_sign_in):
    for n in range(20):
        fail_sign_in(f"guess{n}", 1, address="10.1.2.3")
    admin = login_as(admin_user)

    assert "10.1.2.3" in admin.get("/accounts/lockouts/").content.decode()
    admin.post("/accounts/lockouts/unlock/", {"kind": "address", "value": "10.1.2.3"})

    assert sign_in(Client(), clerk_a.username, address="10.1.2.3").status_code == 302


@pytest.mark.parametrize("name", ["clerk_a", "reviewer_x", "no_role_user"])
def test_only_municipal_staff_and_admins_open_the_unlock_page(persona, login_as, name):
    client = login_as(persona(name))

    assert client.get("/accounts/lockouts/").status_code == 403
    assert client.post("/accounts/lockouts/unlock/", {"kind": "account", "value": "x"}).status_code == 403


def test_a_clerk_cannot_unlock_an_address_even_through_the_service(clerk_a):
    with pytest.raises(lockout.NotAllowed):
        lockout.unlock_address(actor=clerk_a, ip_address="10.1.2.3")


# --- API token authentication (the helper issue 12's authentication class will call) ----------


def _api_request(address: str = "10.5.5.5"):
    return RequestFactory().get("/api/villages/", REMOTE_ADDR=address)


def test_token_failures_lock_the_named_account_after_five(clerk_a):
    for _ in range(4):
        assert lockout.token_authentication_failed(_api_request(), username="clerk_a") is None
    ends_at = lockout.token_authentication_failed(_api_request(), username="clerk_a")

    assert ends_at is not None
    assert timezone.now() + datetime.timedelta(minutes=14) < ends_at <= timezone.now() + datetime.timedelta(minutes=15)
    with pytest.raises(lockout.LockedOut) as refused:
        lockout.check_token_authentication(_api_request(address="10.6.6.6"), username="clerk_a")
    assert refused.value.ends_at == ends_at
    lockout.check_token_authentication(_api_request(), username="clerk_a2")  # other accounts are fine


def test_unknown_tokens_lock_the_address_after_twenty():
    for _ in range(19):
        lockout.token_authentication_failed(_api_request())
    lockout.check_token_authentication(_api_request())  # still allowed

    lockout.token_authentication_failed(_api_request())

    with pytest.raises(lockout.LockedOut):
        lockout.check_token_authentication(_api_request())
    lockout.check_token_authentication(_api_request(address="10.6.6.6"))


def test_token_lockout_ends_after_the_cool_off_or_an_unlock(clerk_a, admin_user):
    for _ in range(5):
        lockout.token_authentication_failed(_api_request(), username="clerk_a")
    age_attempts(minutes=16)
    lockout.check_token_authentication(_api_request(), username="clerk_a")

    for _ in range(5):
        lockout.token_authentication_failed(_api_request(), username="clerk_a")
    lockout.unlock_account(actor=admin_user, username="clerk_a")
    lockout.check_token_authentication(_api_request(), username="clerk_a")


def test_token_failures_and_the_lockout_are_audited_as_api_token_sign_ins(clerk_a):
    for _ in range(5):
        lockout.token_authentication_failed(_api_request(), username="clerk_a")

    failed = AuditEvent.objects.filter(kind=EventKind.LOGIN_FAILED)
    assert failed.count() == 5
    assert {e.detail["stage"] for e in failed} == {"api_token"}
    assert AuditEvent.objects.get(kind=EventKind.LOCKOUT).ip_address == "10.5.5.5"
