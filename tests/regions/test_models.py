"""The hierarchy's invariants: valid nested codes, unique sibling names, the village's county."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import DataError, IntegrityError, transaction
from django.utils import translation

from tests import factories
from wuqiang.regions.models import County, Municipality, MunicipalYear, Township, Village

pytestmark = pytest.mark.django_db


def _code_errors(unit) -> list[tuple[str | None, str]]:
    """(code, message) of each error on the code field, the messages rendered in English."""
    with translation.override("en"):
        with pytest.raises(ValidationError) as excinfo:
            unit.full_clean()
        errors = excinfo.value.error_dict.get("code", [])
        return [(e.code, str(e.message % e.params if e.params else e.message)) for e in errors]


@pytest.mark.parametrize(
    ("model", "bad_code"),
    [
        (Municipality, "52030"),
        (Municipality, "5203000"),
        (Municipality, "52030a"),
        (County, "52030"),
        (County, "5203021"),
        (Township, "52030200"),
        (Township, "5203020011"),
        (Village, "52030200120"),
        (Village, "5203020012001"),
        (Village, "5203020012x1"),
    ],
)
def test_it_rejects_a_code_of_the_wrong_length_or_not_digits(world, model, bad_code):
    parent = {
        Municipality: {},
        County: {"municipality": world.municipality},
        Township: {"county": world.county_x},
        Village: {"township": world.township_a},
    }[model]
    unit = model(code=bad_code, name="新单位", **parent)

    errors = _code_errors(unit)

    assert "code_format" in [code for code, _ in errors]


@pytest.mark.parametrize(
    ("model", "code", "parent_attr", "expected_prefix"),
    [
        (County, "520402", "municipality", "5203"),
        (Township, "520303001", "county_x", "520302"),
        (Village, "520302100201", "township_a", "520302001"),
    ],
)
def test_it_rejects_a_code_not_prefixed_by_the_parent_code(world, model, code, parent_attr, expected_prefix):
    parent = getattr(world, parent_attr)
    unit = model(code=code, name="新单位", **{model.parent_field: parent})

    errors = _code_errors(unit)

    assert [message for _, message in errors] == [
        f"The code must start with {expected_prefix}, the code of {parent.name}."
    ]


@pytest.mark.parametrize(
    ("model", "code", "parent_attr"),
    [
        (County, "520399", "municipality"),
        (Township, "520302999", "county_x"),
    ],
)
def test_it_accepts_a_valid_nested_code(world, model, code, parent_attr):
    unit = model(code=code, name="新单位", **{model.parent_field: getattr(world, parent_attr)})

    unit.full_clean()  # does not raise


def test_a_new_village_passes_full_clean_before_its_county_is_derived(world):
    # The county is not editable, so validation before save() (a form, an import) skips it.
    village = Village(code="520302001299", name="新村", township=world.township_a)

    village.full_clean()  # does not raise


@pytest.mark.parametrize(
    ("model", "code"),
    [(Municipality, "52030"), (County, "5203021"), (Township, "52030200"), (Village, "5203020012011")],
)
def test_the_database_refuses_a_code_of_the_wrong_length(world, model, code):
    fields = {
        Municipality: {},
        County: {"municipality": world.municipality},
        Township: {"county": world.county_x},
        Village: {"township": world.township_a},
    }[model]
    # Too short breaks the length check; too long breaks it on SQLite, which ignores max_length,
    # and varchar(n) on PostgreSQL first.
    with pytest.raises((IntegrityError, DataError)), transaction.atomic():
        model.objects.create(code=code, name="新单位", **fields)


def test_it_rejects_a_county_name_taken_in_the_same_municipality(world):
    twin = County(code="520399", name=world.county_x.name, municipality=world.municipality)

    with pytest.raises(ValidationError) as excinfo:
        twin.full_clean()

    assert "__all__" in excinfo.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        twin.save()


def test_it_rejects_a_township_name_taken_in_the_same_county(world):
    twin = Township(code="520302999", name=world.township_a.name, county=world.county_x)

    with pytest.raises(ValidationError):
        twin.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        twin.save()


def test_it_rejects_a_village_name_taken_in_the_same_township(world):
    taken = world.villages["a"][0].name

    with pytest.raises(IntegrityError), transaction.atomic():
        Village.objects.create(code="520302001299", name=taken, township=world.township_a)


def test_it_allows_the_same_name_under_different_parents(world):
    taken_village = world.villages["a"][0].name
    factories.VillageFactory(township=world.township_b, name=taken_village)
    factories.TownshipFactory(county=world.county_y, name=world.township_a.name)

    assert Village.objects.filter(name=taken_village).count() == 2
    assert Township.objects.filter(name=world.township_a.name).count() == 2


def test_a_village_takes_its_county_from_its_township(world):
    village = Village.objects.create(code="520303100299", name="新村", township=world.township_c)

    village.refresh_from_db()
    assert village.county_id == world.county_y.pk


def test_a_village_ignores_a_county_that_contradicts_its_township(world):
    village = Village.objects.create(
        code="520303100299", name="新村", township=world.township_c, county=world.county_x
    )

    village.refresh_from_db()
    assert village.county_id == world.county_y.pk


def test_a_village_moved_to_a_township_in_another_county_follows_it(world):
    village = world.village_a
    assert village.county == world.county_x

    village.township = world.township_c
    village.save()

    # The cached county object is dropped with the changed id, not left stale.
    assert village.county == world.county_y
    assert Village.objects.get(pk=village.pk).county_id == world.county_y.pk


def test_a_village_moved_with_update_fields_still_updates_its_county(world):
    village = world.village_a

    village.township = world.township_c
    village.save(update_fields=["township"])

    stored = Village.objects.get(pk=village.pk)
    assert (stored.township_id, stored.county_id) == (world.township_c.pk, world.county_y.pk)


def test_a_village_moved_within_its_county_keeps_the_county(world):
    village = world.village_a

    village.township = world.township_b
    village.save()

    assert Village.objects.get(pk=village.pk).county_id == world.county_x.pk


def test_ancestors_list_the_chain_top_down(world):
    assert world.village_a.ancestors() == [world.municipality, world.county_x, world.township_a]
    assert world.municipality.ancestors() == []


def test_get_absolute_url_uses_the_division_code(world):
    assert world.village_c.get_absolute_url() == f"/villages/{world.village_c.code}/"
    assert world.county_y.get_absolute_url() == "/counties/520303/"


def test_a_municipal_year_window_must_not_close_before_it_opens(world, year):
    settings = MunicipalYear.objects.get(municipality=world.municipality, year=year)
    settings.entry_opens, settings.entry_closes = datetime.date(2021, 6, 1), datetime.date(2021, 5, 1)

    with pytest.raises(ValidationError) as excinfo:
        settings.full_clean()

    assert "entry_closes" in excinfo.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        settings.save()


def test_only_an_open_year_accepts_clerk_edits(world):
    years = [factories.AssessmentYearFactory(year=2021), factories.AssessmentYearFactory(year=2020, state="closed"),
             factories.AssessmentYearFactory(year=2019, state="published")]
    open_year, closed, published = (MunicipalYear.objects.get(municipality=world.municipality, year=y) for y in years)

    assert [y.accepts_clerk_edits for y in (open_year, closed, published)] == [True, False, False]
    assert [y.is_published for y in (open_year, closed, published)] == [False, False, True]


def test_every_municipality_gets_settings_for_every_year_whichever_comes_first(world):
    year = factories.AssessmentYearFactory(year=2023)
    later = factories.MunicipalityFactory(code="520400", name="安顺市")

    assert set(MunicipalYear.objects.filter(year=year).values_list("municipality_id", flat=True)) == {
        world.municipality.pk, later.pk}
    settings = MunicipalYear.objects.get(municipality=later, year=year)
    assert (settings.state, settings.entry_opens, settings.entry_closes) == (
        "open", datetime.date(2023, 1, 1), datetime.date(2024, 3, 31))
