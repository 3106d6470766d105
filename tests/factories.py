"""Factories for the hierarchy, assessment years and users.

Division codes stay valid and prefix-nested: a county's code starts with the first four
digits of its municipality's, a township's with its county's, a village's with its township's.
Generated serials start at 50 (counties) or 500 (townships, villages), leaving the lower ones
to codes that tests spell out, such as the personas' world in conftest.py.
"""

from __future__ import annotations

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from wuqiang.accounts.models import Role, User
from wuqiang.regions.models import AssessmentYear, County, Municipality, MunicipalYear, Township, Village, YearState

# Every factory user shares this password; tests that log in through a form type it.
PASSWORD = "correct-horse-battery"


class MunicipalityFactory(DjangoModelFactory):
    class Meta:
        model = Municipality
        django_get_or_create = ("code",)

    # 9xxx00: well away from Zunyi's real 5203xx, so factories never collide with seed_demo.
    code = factory.Sequence(lambda n: f"9{n % 1000:03d}00")
    name = factory.Sequence(lambda n: f"测试{n}市")


class CountyFactory(DjangoModelFactory):
    class Meta:
        model = County

    municipality = factory.SubFactory(MunicipalityFactory)
    code = factory.LazyAttributeSequence(lambda o, n: f"{o.municipality.code[:4]}{50 + n % 49:02d}")
    name = factory.Sequence(lambda n: f"测试{n}县")


class TownshipFactory(DjangoModelFactory):
    class Meta:
        model = Township

    county = factory.SubFactory(CountyFactory)
    code = factory.LazyAttributeSequence(lambda o, n: f"{o.county.code}{500 + n % 499:03d}")
    name = factory.Sequence(lambda n: f"测试{n}镇")


class VillageFactory(DjangoModelFactory):
    """The county is not declared: ``Village.save()`` derives it from the township."""

    class Meta:
        model = Village

    township = factory.SubFactory(TownshipFactory)
    code = factory.LazyAttributeSequence(lambda o, n: f"{o.township.code}{500 + n % 499:03d}")
    name = factory.Sequence(lambda n: f"测试{n}村")


class AssessmentYearFactory(DjangoModelFactory):
    """A year; ``state=`` puts every existing municipality's settings of it in that state."""

    class Meta:
        model = AssessmentYear
        django_get_or_create = ("year",)
        skip_postgeneration_save = True

    year = 2021

    @factory.post_generation
    def state(obj, create, extracted, **kwargs):
        if create and extracted:
            set_year_state(obj, extracted)


def set_year_state(year: AssessmentYear | int, state: str, *, municipality: Municipality | None = None) -> None:
    """Test setup: the year's settings (of every municipality, or of one) in ``state``, directly —
    the service that moves years (and records the move) is tested on its own."""
    settings = MunicipalYear.objects.filter(year_id=getattr(year, "year", year))
    if municipality is not None:
        settings = settings.filter(municipality=municipality)
    settings.update(state=state, published_at=timezone.now() if state == YearState.PUBLISHED else None)


class UserFactory(DjangoModelFactory):
    """A user without a role: signs in, sees nothing."""

    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Sequence(lambda n: f"用户{n}")
    password = factory.django.Password(PASSWORD)
    role = ""


class ClerkFactory(UserFactory):
    role = Role.CLERK
    township = factory.SubFactory(TownshipFactory)
    first_name = factory.LazyAttribute(lambda o: f"{o.township.name}填报员")


class ReviewerFactory(UserFactory):
    role = Role.REVIEWER
    county = factory.SubFactory(CountyFactory)
    first_name = factory.LazyAttribute(lambda o: f"{o.county.name}审核员")


class MunicipalStaffFactory(UserFactory):
    role = Role.MUNICIPAL
    municipality = factory.SubFactory(MunicipalityFactory)
    first_name = factory.LazyAttribute(lambda o: f"{o.municipality.name}委组织部")


class AdminFactory(UserFactory):
    role = Role.ADMIN
    is_staff = True
    is_superuser = True
