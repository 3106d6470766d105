"""Demo accounts: one municipal admin, a reviewer per county, a clerk per township."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.hashers import make_password

from wuqiang.accounts.models import Role, User
from wuqiang.core.demo.hierarchy import DemoCity
from wuqiang.security.models import PasswordChangeReason
from wuqiang.security.passwords import require_password_change

ADMIN_USERNAME = "admin"


def reviewer_username(county_code: str) -> str:
    return f"r{county_code}"


def clerk_username(township_code: str) -> str:
    return f"c{township_code}"


def build_users(city: DemoCity) -> list[User]:
    # One hash for every demo account: they share the printed demo password, and hashing it
    # 215 times (PBKDF2, a million rounds each) would dominate the seed's run time.
    password = make_password(settings.DEMO_PASSWORD)
    rows = [
        User(
            username=ADMIN_USERNAME, password=password, role=Role.MUNICIPAL, municipality=city.municipality,
            first_name="市委组织部", last_name="", is_staff=True, is_superuser=True,
        )
    ]
    rows += [
        User(username=reviewer_username(c.code), password=password, role=Role.REVIEWER, county=c,
             first_name=f"{c.name}审核员")
        for c in city.counties
    ]
    rows += [
        User(username=clerk_username(t.code), password=password, role=Role.CLERK, township=t,
             first_name=f"{t.name}填报员")
        for t in city.townships
    ]
    User.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["username"],
        update_fields=["password", "role", "municipality", "county", "township", "first_name",
                       "is_staff", "is_superuser", "is_active"],
        batch_size=500,
    )
    # They all share the printed password: each must choose their own at first sign-in
    # (unless FORCE_PASSWORD_CHANGE=false, as scripts/demo sets for evaluators).
    require_password_change(
        User.objects.filter(username__in=[u.username for u in rows]).values_list("pk", flat=True),
        reason=PasswordChangeReason.SEEDED,
    )
    return rows
