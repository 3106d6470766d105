"""Password rules: at least 12 characters, not a common password, none of the last five; accounts
made by seed_demo or given a password by an admin choose their own at first sign-in."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from tests.factories import PASSWORD
from tests.security.conftest import sign_in
from wuqiang.accounts.models import User
from wuqiang.audit.models import AuditEvent, EventKind
from wuqiang.core.demo.users import build_users
from wuqiang.security.models import PasswordChangeReason, PasswordHistory, RequiredPasswordChange
from wuqiang.security.passwords import require_password_change

pytestmark = pytest.mark.django_db


def _codes(error: ValidationError) -> set[str]:
    return {e.code for e in error.error_list}


@pytest.mark.parametrize(("password", "code"), [
    ("Short-pw-11", "password_too_short"),
    ("password1234", "password_too_common"),
    ("834920175563", "password_entirely_numeric"),
])
def test_weak_passwords_are_refused(clerk_a, password, code):
    with pytest.raises(ValidationError) as refused:
        validate_password(password, clerk_a)

    assert code in _codes(refused.value)


def test_a_twelve_character_uncommon_password_is_accepted(clerk_a):
    validate_password("Qiang-xian-12", clerk_a)


def _change_own_password(client, old: str, new: str):
    return client.post("/accounts/password/", {"old_password": old, "new_password1": new, "new_password2": new})


def test_none_of_the_last_five_passwords_may_be_chosen_again(client, clerk_a, login_as):
    login_as(clerk_a)
    passwords = [PASSWORD] + [f"Yi-er-san-si-{n}x" for n in range(6)]
    for old, new in zip(passwords, passwords[1:], strict=False):
        assert _change_own_password(client, old, new).status_code == 302, new

    current = passwords[-1]
    for reused in passwords[-5:]:
        response = _change_own_password(client, current, reused)
        assert response.status_code == 200, reused
        assert "password_reused" in {e.code for e in response.context["form"].errors.as_data()["new_password2"]}

    # The sixth most recent has left the history and may come back.
    assert _change_own_password(client, current, passwords[-6]).status_code == 302
    assert PasswordHistory.objects.filter(user=clerk_a).count() == 5


def test_a_password_change_is_audited_with_actor_and_address(client, clerk_a, login_as):
    login_as(clerk_a)

    _change_own_password(client, PASSWORD, "Wo-de-xin-mima-1")

    event = AuditEvent.objects.get(kind=EventKind.PASSWORD_CHANGE)
    assert (event.actor_id, event.object_id, event.ip_address) == (clerk_a.pk, str(clerk_a.pk), "127.0.0.1")
    assert event.detail == {"set_by_other": False}


# --- First sign-in ----------------------------------------------------------------------------


def test_seeded_demo_accounts_must_change_their_password(world):
    city = SimpleNamespace(municipality=world.municipality, counties=[world.county_x],
                           townships=[world.township_a])

    build_users(city)

    required = set(RequiredPasswordChange.objects.values_list("user__username", "reason"))
    assert required == {("admin", PasswordChangeReason.SEEDED), ("r520302", PasswordChangeReason.SEEDED),
                        ("c520302001", PasswordChangeReason.SEEDED)}


def test_an_account_made_by_an_admin_must_change_its_password(client, admin_user, world, login_as):
    admin = login_as(admin_user)

    response = admin.post("/admin/accounts/user/add/", {
        "username": "new_clerk", "password1": "Chu-shi-mima-2021", "password2": "Chu-shi-mima-2021",
        "usable_password": "true", "role": "clerk", "township": world.township_a.pk,
    })

    assert response.status_code == 302, response.content.decode()[:2000]
    created = User.objects.get(username="new_clerk")
    assert RequiredPasswordChange.objects.get(user=created).reason == PasswordChangeReason.SET_BY_ADMIN


def test_first_sign_in_leads_to_the_password_change_and_nowhere_else(client, clerk_a):
    require_password_change([clerk_a.pk], reason=PasswordChangeReason.SEEDED)

    signed_in = sign_in(client, clerk_a.username)
    elsewhere = client.get(f"/townships/{clerk_a.township.code}/")

    assert signed_in.status_code == 302
    assert elsewhere.status_code == 302
    assert elsewhere.url.startswith("/accounts/password/?next=")
    page = client.get(elsewhere.url)
    assert page.status_code == 200 and 'data-testid="password-change-required"' in page.content.decode()


def test_after_the_change_the_portal_opens_and_the_requirement_is_gone(client, clerk_a):
    require_password_change([clerk_a.pk], reason=PasswordChangeReason.SEEDED)
    sign_in(client, clerk_a.username)
    township = f"/townships/{clerk_a.township.code}/"

    response = client.post("/accounts/password/", {
        "old_password": PASSWORD, "new_password1": "Zi-ji-de-mima-88", "new_password2": "Zi-ji-de-mima-88",
        "next": township,
    })

    assert response.status_code == 302 and response.url == township
    assert client.get(township).status_code == 200
    assert not RequiredPasswordChange.objects.filter(user=clerk_a).exists()


def test_the_new_password_may_not_be_the_one_given(client, clerk_a):
    require_password_change([clerk_a.pk], reason=PasswordChangeReason.SEEDED)
    sign_in(client, clerk_a.username)

    response = client.post("/accounts/password/", {
        "old_password": PASSWORD, "new_password1": PASSWORD, "new_password2": PASSWORD})

    assert response.status_code == 200
    assert RequiredPasswordChange.objects.filter(user=clerk_a).exists()


def test_the_demo_flag_switches_the_forced_change_off(client, clerk_a, settings):
    settings.FORCE_PASSWORD_CHANGE = False
    require_password_change([clerk_a.pk], reason=PasswordChangeReason.SEEDED)
    sign_in(client, clerk_a.username)

    assert client.get(f"/townships/{clerk_a.township.code}/").status_code == 200


def test_signing_out_stays_possible_while_the_change_is_owed(client, clerk_a):
    require_password_change([clerk_a.pk], reason=PasswordChangeReason.SEEDED)
    sign_in(client, clerk_a.username)

    response = client.post("/accounts/logout/")

    assert response.status_code == 302 and response.url == "/accounts/login/"
    assert "_auth_user_id" not in client.session
