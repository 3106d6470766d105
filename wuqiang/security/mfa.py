"""Second factor: TOTP (django-otp) with single-use recovery codes.

Anyone may turn it on. With ``REQUIRE_MFA`` (the production default) superusers, the admin
role and municipal staff must: at sign-in they are sent to enrol if they have no device yet.
Whoever has a device proves it after the password, before any other page (the gate in
``wuqiang.security.middleware``); the admin site also checks it on every request.
"""

from __future__ import annotations

import re
from typing import Any

import segno
from django.conf import settings
from django.db import transaction
from django_otp import devices_for_user
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from wuqiang.accounts.models import Role
from wuqiang.audit.models import EventKind
from wuqiang.audit.services import record

RECOVERY_CODE_COUNT = 10
_RECOVERY_DEVICE = "recovery codes"
_TOTP_DEVICE = "authenticator app"
_DIGITS = re.compile(r"^\d{6}$")


def mfa_required(user: Any) -> bool:
    return bool(settings.REQUIRE_MFA and user.is_authenticated
                and (user.is_superuser or user.role in (Role.ADMIN, Role.MUNICIPAL)))


def has_second_factor(user: Any) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def second_factor_satisfied(user: Any) -> bool:
    """Verified with a device in this session, or not required to be."""
    return bool(user.is_authenticated and (getattr(user, "is_verified", lambda: False)() or not mfa_required(user)))


def pending_enrolment(user: Any) -> TOTPDevice:
    """The unconfirmed TOTP device the user is setting up, made on first call."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=_TOTP_DEVICE, confirmed=False)
    return device


def qr_code_data_uri(device: TOTPDevice) -> str:
    """The device's otpauth:// URL as an SVG QR code (a data: URI; CSP allows data: images)."""
    return segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=2)


def manual_key(device: TOTPDevice) -> str:
    """The secret in base32, in groups of four, for apps that cannot scan."""
    from base64 import b32encode

    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


@transaction.atomic
def confirm_enrolment(*, user: Any, device: TOTPDevice, token: str) -> list[str] | None:
    """Confirm the device with a code from the app; returns fresh recovery codes, or None if the
    code is wrong."""
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=user, confirmed=False)
    if not _DIGITS.match(token.strip()) or not device.verify_token(token.strip()):
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    codes = _new_recovery_codes(user)
    record(EventKind.MFA_ENROLLED, actor=user, obj=user)
    return codes


def _format(code: str) -> str:
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))


def _normalise(token: str) -> str:
    return re.sub(r"[\s-]", "", token).lower()


def _new_recovery_codes(user: Any) -> list[str]:
    device, _ = StaticDevice.objects.get_or_create(user=user, name=_RECOVERY_DEVICE, defaults={"confirmed": True})
    device.token_set.all().delete()
    # 16 base32 characters: 80 bits each, the most django-otp's token column holds.
    codes = [StaticToken.random_token() + StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return [_format(code) for code in codes]


@transaction.atomic
def renew_recovery_codes(*, user: Any) -> list[str]:
    codes = _new_recovery_codes(user)
    record(EventKind.RECOVERY_CODES, actor=user, obj=user)
    return codes


def recovery_codes_left(user: Any) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


@transaction.atomic
def verify(*, user: Any, token: str) -> tuple[Any, str] | None:
    """The device that accepts ``token`` and how ("totp" or "recovery code"), or None.

    Six digits go to the authenticator app, anything else to the recovery codes (a used code
    is deleted). django-otp throttles each device after a wrong code and refuses a TOTP code
    already used, so a code seen over someone's shoulder is worth nothing afterwards.
    """
    token = token.strip()
    is_totp = bool(_DIGITS.match(token))
    for device in devices_for_user(user, confirmed=True, for_verify=True):
        if is_totp and isinstance(device, TOTPDevice) and device.verify_token(token):
            return device, "totp"
        if not is_totp and isinstance(device, StaticDevice) and device.verify_token(_normalise(token)):
            return device, "recovery code"
    return None


@transaction.atomic
def disable(*, user: Any) -> None:
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    record(EventKind.MFA_DISABLED, actor=user, obj=user)
