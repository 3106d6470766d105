"""seed_demo builds SPEC §7's city; running it again changes nothing, and regenerating the data
gives the same data (one fixed seed)."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, F, Value
from django.db.models.functions import Concat, Substr

from economy.models import EconomyProfile
from organizations.models import BranchProfile
from support.models import CountyIncome
from talent.models import Cadre
from wuqiang.accounts.models import Role, User
from wuqiang.entries.models import Change, Entry
from wuqiang.regions.models import (
    AssessmentYear,
    County,
    Municipality,
    MunicipalYear,
    Township,
    Village,
    YearState,
    YearStateChange,
)

# One city for the whole module: building it is the slow part (scripts/test keeps a module on
# one xdist worker, so it is built once per run).
pytestmark = [pytest.mark.django_db, pytest.mark.slow]

SPEC_COUNTY_CODES = {
    "520302", "520303", "520304", "520322", "520323", "520324", "520325",
    "520326", "520327", "520328", "520329", "520330", "520381", "520382",
}


def _seed() -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def _snapshot() -> dict[str, dict[str, int]]:
    """Natural key → id for every seeded table."""
    return {
        "municipalities": dict(Municipality.objects.values_list("code", "pk")),
        "counties": dict(County.objects.values_list("code", "pk")),
        "townships": dict(Township.objects.values_list("code", "pk")),
        "villages": dict(Village.objects.values_list("code", "pk")),
        "users": dict(User.objects.values_list("username", "pk")),
        "years": dict(MunicipalYear.objects.values_list("year_id", "state")),
        "entries": dict(Entry.objects.values_list("pk", "version")),
        "history": {"rows": Change.objects.count()},
        "state_changes": {"rows": YearStateChange.objects.count()},
    }


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker) -> Iterator[str]:
    """The demo city, built once for this module in a transaction rolled back after it; each
    test's own changes are undone by its savepoint (the ``django_db`` mark) as usual."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield _seed()
        transaction.set_rollback(True)


def test_it_builds_zunyi_with_the_spec_counties(seeded):
    assert list(Municipality.objects.values_list("code", "name")) == [("520300", "遵义市")]
    assert set(County.objects.values_list("code", flat=True)) == SPEC_COUNTY_CODES
    assert County.objects.get(code="520325").name == "道真仡佬族苗族自治县"
    assert County.objects.exclude(municipality__code="520300").count() == 0


def test_it_builds_200_townships_and_1728_villages(seeded):
    assert Township.objects.count() == 200
    assert Village.objects.count() == 1728
    assert "14 counties, 200 townships, 1728 villages" in seeded


def test_every_code_starts_with_its_parent_code(seeded):
    assert not County.objects.exclude(code__startswith="5203").exists()
    assert not Township.objects.exclude(code__startswith=F("county__code")).exists()
    assert not Village.objects.exclude(code__startswith=F("township__code")).exists()
    assert not Township.objects.exclude(code__regex=r"^\d{9}$").exists()
    assert not Village.objects.exclude(code__regex=r"^\d{12}$").exists()


def test_every_village_county_matches_its_township(seeded):
    assert not Village.objects.exclude(county=F("township__county")).exists()
    # And the county really is the one the code says.
    assert not Village.objects.exclude(county__code=Substr("code", 1, 6)).exists()


def test_every_seeded_entry_has_its_place_in_the_review_queue(seeded):
    from wuqiang.entries.models import Entry
    from wuqiang.entries.services import sort_code_expression

    entries = Entry.objects.annotate(expected=sort_code_expression())
    assert entries.filter(village__isnull=True).exists()
    assert not entries.exclude(sort_code=F("expected")).exists()


def test_every_township_has_between_5_and_20_villages(seeded):
    counts = list(Township.objects.annotate(n=Count("villages")).values_list("n", flat=True))
    assert min(counts) >= 5
    assert max(counts) <= 20


def test_it_builds_the_years_2019_to_2022_with_2022_open(seeded):
    years = dict(MunicipalYear.objects.filter(municipality__code="520300").values_list("year_id", "state"))

    assert set(AssessmentYear.objects.values_list("year", flat=True)) == {2019, 2020, 2021, 2022}
    assert years == {2019: YearState.PUBLISHED, 2020: YearState.PUBLISHED, 2021: YearState.PUBLISHED,
                     2022: YearState.OPEN}
    assert MunicipalYear.objects.get(year_id=2020).published_at is not None
    # 2019 holds only the county incomes 2020's pay standard rests on.
    assert not Entry.objects.filter(year_id=2019).exists()
    assert CountyIncome.objects.filter(year_id=2019).count() == 14


def test_it_builds_one_admin_a_reviewer_per_county_and_a_clerk_per_township(seeded):
    assert User.objects.count() == 1 + 14 + 200

    admin = User.objects.get(username="admin")
    assert (admin.role, admin.municipality.code, admin.is_superuser, admin.is_staff) == (
        Role.MUNICIPAL, "520300", True, True,
    )
    reviewers = User.objects.filter(role=Role.REVIEWER)
    assert {(u.username, u.county.code) for u in reviewers.select_related("county")} == {
        (f"r{code}", code) for code in SPEC_COUNTY_CODES
    }
    clerks = User.objects.filter(role=Role.CLERK)
    assert clerks.count() == 200
    assert not clerks.exclude(username=Concat(Value("c"), "township__code")).exists()


def test_every_demo_account_takes_the_demo_password(seeded):
    for user in User.objects.filter(username__in=["admin", "r520302", "c520302001"]):
        assert user.check_password(settings.DEMO_PASSWORD), user.username
        assert not user.check_password("wrong")
    assert User.objects.filter(is_active=True).count() == 215


def test_running_it_again_changes_nothing_and_restores_what_was_edited(seeded):
    before = _snapshot()
    village = Village.objects.order_by("code").first()
    Village.objects.filter(pk=village.pk).update(name="改过的名字")

    _seed()

    after = _snapshot()
    assert after == before
    assert {k: len(v) for k, v in after.items()} == {
        "municipalities": 1, "counties": 14, "townships": 200, "villages": 1728, "users": 215, "years": 4,
        "entries": 3 * (1728 * 5 + 200), "history": 1, "state_changes": 1,
    }
    assert Village.objects.get(pk=village.pk).name == village.name


def _fingerprint() -> dict[str, list]:
    """Values drawn from the seeded generators, by natural key (ids change when regenerated)."""
    return {
        "households": sorted(BranchProfile.objects.values_list("entry__village__code", "entry__year_id",
                                                               "households")),
        "cadres": sorted(Cadre.objects.values_list("entry__village__code", "entry__year_id", "name", "monthly_pay")),
        "income": sorted(EconomyProfile.objects.values_list("entry__village__code", "entry__year_id",
                                                            "operating_income")),
        "states": sorted(Entry.objects.filter(village__isnull=False).values_list(
            "village__code", "year_id", "pillar", "state", "submitted_at", "quality_flags")),
    }


def test_regenerating_the_data_gives_the_same_city(seeded):
    before = _fingerprint()

    call_command("seed_demo", "--reset-data", stdout=io.StringIO())

    assert _fingerprint() == before


@pytest.mark.parametrize("editable", [True, False])
def test_every_stored_record_list_of_a_seeded_village_is_drawn_as_the_template_draws_it(seeded, editable):
    """The sheet page draws a stored list through one form re-pointed from record to record
    (``entries/rows.py``); on the seeded city's records, every list of every sheet of a village
    and of its township is exactly what the row template draws from a form per record."""
    from tests.entries.test_record_rows import by_template
    from wuqiang.entries.forms import EntryForms
    from wuqiang.entries.registry import sheet_for_entry
    from wuqiang.entries.rows import record_rows

    drawn = 0
    for entry in Entry.objects.filter(year_id=2021, township__code="520302001").select_related("year"):
        for formset in EntryForms(sheet_for_entry(entry), entry, editable=editable).formsets:
            assert record_rows(formset) == by_template(formset), (entry.pk, formset.prefix)
            drawn += formset.initial_form_count()
    assert drawn > 200  # meetings, matters, cadres, sent-down staff, trainees … of 13 villages

