"""Second factor (TOTP with recovery codes): anyone can enrol; with REQUIRE_MFA superusers and
municipal staff must; a signed-in user with a device proves it before any page, the admin
included; recovery codes work once; wrong codes count towards the lockout."""

from __future__ import annotations

import re
import time

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.security.conftest import ADMIN_LOGIN, sign_in
from wuqiang.audit.models import AuditEvent, EventKind
from wuqiang.security import mfa
from wuqiang.security.gate import MFA_KEY

pytestmark = pytest.mark.django_db


def code_for(device: TOTPDevice, *, steps_ahead: int = 0) -> str:
    """The app's code now, or ``steps_ahead`` 30-second steps later (the device accepts ±1 step,
    and refuses a step already used)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():06d}"


def enrol(user) -> tuple[TOTPDevice, list[str]]:
    device = mfa.pending_enrolment(user)
    codes = mfa.confirm_enrolment(user=user, device=device, token=code_for(device))
    device.refresh_from_db()
    return device, codes


@pytest.fixture
def mfa_required(settings):
    settings.REQUIRE_MFA = True


# --- Enrolment ---------------------------------------------------------------------------------


def test_any_user_can_turn_on_a_second_factor(clerk_a, login_as):
    client = login_as(clerk_a)

    setup = client.get("/accounts/two-factor/setup/")
    page = setup.content.decode()
    assert setup.status_code == 200
    assert 'src="data:image/svg+xml' in page
    device = TOTPDevice.objects.get(user=clerk_a, confirmed=False)
    key = re.search(r'data-testid="manual-key">([A-Z2-7 ]+)<', page).group(1)
    assert key.replace(" ", "") == __import__("base64").b32encode(device.bin_key).decode().rstrip("=")

    done = client.post("/accounts/two-factor/setup/", {"code": code_for(device)})

    assert done.status_code == 200
    codes = re.findall(r"<li>([a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4})</li>", done.content.decode())
    assert len(codes) == 10
    assert TOTPDevice.objects.get(user=clerk_a).confirmed
    assert StaticToken.objects.filter(device__user=clerk_a).count() == 10
    assert AuditEvent.objects.filter(kind=EventKind.MFA_ENROLLED, actor=clerk_a).exists()


def test_a_wrong_code_does_not_turn_it_on(clerk_a, login_as):
    client = login_as(clerk_a)
    client.get("/accounts/two-factor/setup/")

    response = client.post("/accounts/two-factor/setup/", {"code": "000000"})

    assert response.status_code == 200
    assert response.context["form"].errors["code"]
    assert not TOTPDevice.objects.filter(user=clerk_a, confirmed=True).exists()


# --- Signing in with the second factor ------------------------------------------------------


def test_a_user_with_a_device_signs_in_with_password_then_code(client, clerk_a):
    device, _codes = enrol(clerk_a)
    township = f"/townships/{clerk_a.township.code}/"

    sign_in(client, clerk_a.username)
    held = client.get(township)
    assert held.status_code == 302 and held.url.startswith("/accounts/two-factor/verify/?next=")

    verified = client.post("/accounts/two-factor/verify/", {"code": code_for(device, steps_ahead=1),
                                                             "next": township})

    assert verified.status_code == 302 and verified.url == township
    assert client.get(township).status_code == 200
    event = AuditEvent.objects.get(kind=EventKind.MFA_VERIFIED)
    assert (event.actor_id, event.detail, event.ip_address) == (clerk_a.pk, {"method": "totp"}, "127.0.0.1")


@pytest.mark.usefixtures("mfa_required")
def test_required_users_are_refused_every_page_until_they_give_a_code(client, municipal):
    enrol(municipal)
    sign_in(client, municipal.username)

    for path in ("/", f"/municipalities/{municipal.municipality.code}/", "/admin/", "/audit/",
                 "/accounts/password/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response.url.startswith("/accounts/two-factor/verify/"), path


@pytest.mark.usefixtures("mfa_required")
def test_required_users_without_a_device_must_set_one_up_first(client, municipal):
    sign_in(client, municipal.username)

    held = client.get("/")
    assert held.url.startswith("/accounts/two-factor/setup/")
    setup = client.get(held.url)
    assert 'data-testid="mfa-required"' in setup.content.decode()
    device = TOTPDevice.objects.get(user=municipal, confirmed=False)

    client.post("/accounts/two-factor/setup/", {"code": code_for(device)})

    assert client.get(f"/municipalities/{municipal.municipality.code}/").status_code == 200


@pytest.mark.usefixtures("mfa_required")
def test_the_admin_requires_the_second_factor_of_a_superuser(client, admin_user):
    device, _codes = enrol(admin_user)

    signed_in = sign_in(client, admin_user.username, page=f"{ADMIN_LOGIN}?next=/admin/")
    assert signed_in.status_code == 302
    held = client.get("/admin/")
    assert held.url.startswith("/accounts/two-factor/verify/")

    # The admin site checks for itself too: a session that somehow skipped the gate is refused.
    session = client.session
    del session[MFA_KEY]
    session.save()
    refused = client.get("/admin/")
    assert refused.status_code == 302 and refused.url.startswith("/admin/login/")

    session = client.session
    session[MFA_KEY] = "verify"
    session.save()
    client.post("/accounts/two-factor/verify/", {"code": code_for(device, steps_ahead=1)})
    assert client.get("/admin/").status_code == 200


def test_the_admin_opens_without_a_code_when_none_is_required(admin_client):
    assert admin_client.get("/admin/").status_code == 200


# --- Recovery codes ---------------------------------------------------------------------------


def test_a_recovery_code_signs_in_once(client, clerk_a):
    _device, codes = enrol(clerk_a)

    sign_in(client, clerk_a.username)
    first = client.post("/accounts/two-factor/verify/", {"code": codes[0].upper()})
    assert first.status_code == 302 and first.url == "/"
    assert AuditEvent.objects.get(kind=EventKind.MFA_VERIFIED).detail == {"method": "recovery code"}
    assert mfa.recovery_codes_left(clerk_a) == 9

    client.post("/accounts/logout/")
    sign_in(client, clerk_a.username)
    again = client.post("/accounts/two-factor/verify/", {"code": codes[0]})

    assert again.status_code == 200
    assert again.context["form"].errors["code"]


def test_new_recovery_codes_replace_the_old_ones(clerk_a, login_as):
    device, old_codes = enrol(clerk_a)
    client = login_as(clerk_a)
    client.post("/accounts/two-factor/verify/", {"code": code_for(device, steps_ahead=1)})

    response = client.post("/accounts/two-factor/recovery-codes/")

    new_codes = re.findall(r"<li>([a-z2-7-]{19})</li>", response.content.decode())
    assert len(new_codes) == 10 and not set(new_codes) & set(old_codes)
    assert StaticToken.objects.filter(device__user=clerk_a).count() == 10


# --- Failures and turning it off --------------------------------------------------------------


def test_five_wrong_codes_lock_the_account_and_sign_it_out(client, clerk_a):
    enrol(clerk_a)
    sign_in(client, clerk_a.username)

    for _ in range(4):
        assert client.post("/accounts/two-factor/verify/", {"code": "123456"}).status_code == 200
    locked = client.post("/accounts/two-factor/verify/", {"code": "123456"})

    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session
    assert sign_in(client, clerk_a.username).status_code == 429
    failures = AuditEvent.objects.filter(kind=EventKind.LOGIN_FAILED)
    assert {e.detail["stage"] for e in failures} >= {"second factor"}
    assert AuditEvent.objects.filter(kind=EventKind.LOCKOUT, actor_username="clerk_a").exists()


@pytest.mark.usefixtures("mfa_required")
def test_a_required_user_cannot_turn_the_second_factor_off(municipal, login_as):
    device, codes = enrol(municipal)
    client = login_as(municipal)
    client.post("/accounts/two-factor/verify/", {"code": code_for(device, steps_ahead=1)})

    client.post("/accounts/two-factor/disable/", {"code": codes[0]})  # a valid code

    assert mfa.has_second_factor(municipal)
    assert mfa.recovery_codes_left(municipal) == 10  # refused before the code was even tried


def test_a_voluntary_user_turns_it_off_with_a_valid_code(clerk_a, login_as, settings):
    settings.OTP_STATIC_THROTTLE_FACTOR = 0  # no pause after the wrong code below
    device, codes = enrol(clerk_a)
    client = login_as(clerk_a)
    client.post("/accounts/two-factor/verify/", {"code": code_for(device, steps_ahead=1)})

    wrong = client.post("/accounts/two-factor/disable/", {"code": "zzzz-zzzz-zzzz-zzzz"})
    assert wrong.status_code == 302 and mfa.has_second_factor(clerk_a)
    client.post("/accounts/two-factor/disable/", {"code": codes[0]})

    assert not mfa.has_second_factor(clerk_a)
    assert AuditEvent.objects.filter(kind=EventKind.MFA_DISABLED, actor=clerk_a).exists()
