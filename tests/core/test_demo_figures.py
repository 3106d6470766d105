"""The demo city's 2021 records reproduce every figure of SPEC §7, counted from the individual
records of approved entries with the ORM (not from any stored total): 2021 is published with
every entry approved, so each figure holds for approved data, as the scorecards count it.

Seeding takes a while, so it runs once for the module inside a transaction that is rolled back
afterwards: each test's own transaction nests inside it, and no other module sees the city.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Avg, Sum

from economy.models import EconomyProfile
from organizations.models import BranchProfile
from talent.choices import CadrePost, SentDownKind, TraineeKind
from talent.models import Cadre, SentDown, Trainee
from wuqiang.entries.models import Entry, EntryState, Pillar
from wuqiang.regions.models import Township, Village

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

YEAR = 2021
APPROVED = {"entry__year": YEAR, "entry__state": EntryState.APPROVED}


@pytest.fixture(scope="module", autouse=True)
def demo_city(django_db_setup, django_db_blocker) -> Iterator[None]:
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", stdout=io.StringIO())
        yield
        transaction.set_rollback(True)


def test_there_are_1728_villages_in_200_townships():
    assert Village.objects.count() == 1728
    assert Township.objects.count() == 200


def test_every_village_has_one_entry_per_pillar_in_2021():
    for pillar in Pillar.values:
        assert Entry.objects.filter(year=YEAR, pillar=pillar, village__isnull=False).count() == 1728, pillar


def test_1706_secretaries_are_also_the_director_a_share_of_98_73_percent():
    profiles = BranchProfile.objects.filter(**APPROVED)
    combined = profiles.filter(secretary_is_director=True).count()

    assert profiles.count() == 1728
    assert combined == 1706
    assert round(combined / profiles.count() * 100, 2) == 98.73


def test_all_1728_secretaries_took_part_in_the_competition():
    assert BranchProfile.objects.filter(**APPROVED, competition_participated=True).count() == 1728


def test_2966_first_secretaries_and_team_members_are_in_post():
    in_post = SentDown.objects.in_post(YEAR).filter(**APPROVED)

    assert in_post.filter(kind__in=[SentDownKind.FIRST_SECRETARY, SentDownKind.TEAM_MEMBER]).count() == 2966


def test_269_revitalisation_instructors_and_334_tech_commissioners_are_in_post():
    in_post = SentDown.objects.in_post(YEAR).filter(**APPROVED)

    assert in_post.filter(kind=SentDownKind.REVITALIZATION_INSTRUCTOR).count() == 269
    assert in_post.filter(kind=SentDownKind.TECH_COMMISSIONER).count() == 334


def test_563_leading_talent_and_13749_reserve_trainees_of_whom_5116_are_now_cadres():
    trainees = Trainee.objects.filter(**APPROVED)

    assert trainees.filter(kind__in=[TraineeKind.LEADER_MUNICIPAL, TraineeKind.LEADER_COUNTY]).count() == 563
    assert trainees.filter(kind=TraineeKind.RESERVE).count() == 13_749
    assert trainees.filter(now_cadre=True).count() == 5_116


def test_20_villages_have_a_collective_economy_demonstration_base():
    assert EconomyProfile.objects.filter(**APPROVED, demonstration_base=True).count() == 20


def test_265_villages_earn_over_50_wan_and_none_under_10_wan():
    profiles = EconomyProfile.objects.filter(**APPROVED)

    assert profiles.count() == 1728
    assert profiles.filter(operating_income__gt=50).count() == 265
    assert profiles.filter(operating_income__lt=10).count() == 0
    assert not profiles.filter(operating_income__isnull=True).exists()


def test_total_operating_income_is_68000_wan():
    total = EconomyProfile.objects.filter(**APPROVED).aggregate(total=Sum("operating_income"))["total"]

    # SQLite sums decimals as floats; compare at the stored precision.
    assert round(Decimal(str(total)), 2) == Decimal("68000.00")


@pytest.mark.parametrize(("posts", "mean"), [
    pytest.param([CadrePost.SECRETARY_DIRECTOR], 4804, id="secretary-director"),
    pytest.param([CadrePost.SECRETARY, CadrePost.DIRECTOR], 4262, id="secretary-and-director"),
    pytest.param([CadrePost.DEPUTY_SECRETARY, CadrePost.DEPUTY_DIRECTOR, CadrePost.MEMBER], 3695, id="deputies"),
])
def test_mean_monthly_pay_by_post(posts, mean):
    average = Cadre.objects.filter(**APPROVED, post__in=posts).aggregate(mean=Avg("monthly_pay"))["mean"]

    assert round(average) == mean


def test_the_secretary_director_count_matches_the_branch_profiles():
    # Organizations and talent describe the same secretaries.
    assert Cadre.objects.filter(entry__year=YEAR, post=CadrePost.SECRETARY_DIRECTOR).count() == 1706
    assert Cadre.objects.filter(entry__year=YEAR, post=CadrePost.SECRETARY).count() == 22
    assert Cadre.objects.filter(entry__year=YEAR, post=CadrePost.DIRECTOR).count() == 22


def test_the_city_has_110000_party_members_in_2021():
    # The seed's 11万 rural party members.
    total = BranchProfile.objects.filter(**APPROVED).aggregate(total=Sum("party_members"))["total"]

    assert total == 110_000


def test_every_2021_entry_is_approved():
    entries = Entry.objects.filter(year=YEAR)

    assert entries.count() == 1728 * 5 + 200
    assert not entries.exclude(state=EntryState.APPROVED).exists()


def test_2020_is_all_approved():
    entries = Entry.objects.filter(year=2020)

    assert entries.count() == 1728 * 5 + 200
    assert not entries.exclude(state=EntryState.APPROVED).exists()
