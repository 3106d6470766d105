"""要素保障强: the secretary's pay and venue, the township's facilities, the county income."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from support.forms import CountyIncomeForm, SupportProfileForm, TownshipFacilitiesForm
from support.models import CountyIncome
from tests.pillars.conftest import get_year
from tests.pillars.helpers import bind, save, with_changes
from wuqiang.accounts.scope import Scope
from wuqiang.entries.models import Pillar
from wuqiang.regions.models import County, Level

SUPPORT = {
    "secretary_annual_pay": "52000",
    "months_paid_on_time": "12",
    "venue_area": "260.5",
    "venue_standardised": "true",
    "paid_leave": "true",
    "health_checkup": "false",
}


@pytest.fixture
def entry(make_entry):
    return make_entry(Pillar.SUPPORT)


def refused(form_class, entry, data, field, message):
    form = bind(form_class, entry, data)
    assert not form.is_valid()
    assert form.errors[field] == [message]
    assert not form_class._meta.model.objects.exists()


def test_a_support_profile_saves(entry):
    profile = save(bind(SupportProfileForm, entry, SUPPORT), entry)

    profile.refresh_from_db()
    assert profile.secretary_annual_pay == 52000
    assert profile.venue_area == Decimal("260.5")
    assert profile.health_checkup is False


def test_it_rejects_negative_pay(entry):
    refused(SupportProfileForm, entry, with_changes(SUPPORT, secretary_annual_pay="-1"), "secretary_annual_pay",
            "Cannot be negative.")


def test_it_rejects_pay_beyond_the_sane_range(entry):
    refused(SupportProfileForm, entry, with_changes(SUPPORT, secretary_annual_pay="1000001"),
            "secretary_annual_pay", "Cannot be more than 1000000.")


def test_it_rejects_13_months_paid(entry):
    refused(SupportProfileForm, entry, with_changes(SUPPORT, months_paid_on_time="13"), "months_paid_on_time",
            "Cannot be more than 12.")


def test_it_rejects_a_negative_venue_area(entry):
    refused(SupportProfileForm, entry, with_changes(SUPPORT, venue_area="-10"), "venue_area", "Cannot be negative.")


FACILITIES = {
    "canteen": "true", "toilet": "true", "bathhouse": "false", "library": "true", "activity_room": "true",
    "turnover_housing": "false", "civil_posts": "40", "civil_posts_filled": "36",
}


@pytest.fixture
def township_entry(make_entry):
    return make_entry(Pillar.SUPPORT, township_level=True)


def test_township_facilities_save(township_entry):
    facilities = save(bind(TownshipFacilitiesForm, township_entry, FACILITIES), township_entry)

    facilities.refresh_from_db()
    assert facilities.civil_posts_filled == 36
    assert facilities.bathhouse is False
    assert township_entry.village_id is None


def test_it_rejects_more_filled_posts_than_posts(township_entry):
    refused(TownshipFacilitiesForm, township_entry, with_changes(FACILITIES, civil_posts_filled="41"),
            "civil_posts_filled", "Filled posts cannot exceed posts (40).")


def test_it_rejects_negative_posts(township_entry):
    refused(TownshipFacilitiesForm, township_entry, with_changes(FACILITIES, civil_posts="-1", civil_posts_filled=""),
            "civil_posts", "Cannot be negative.")


def test_a_county_income_saves(place):
    form = CountyIncomeForm(data={"county": place.county.pk, "year": get_year(2020).pk,
                                  "rural_income_per_capita": "15000"})

    assert form.is_valid(), form.errors
    income = form.save()
    assert income.rural_income_per_capita == 15000


@pytest.mark.parametrize(("value", "message"), [("999", "Cannot be less than 1000."),
                                               ("200001", "Cannot be more than 200000.")])
def test_it_rejects_a_county_income_out_of_range(place, value, message):
    form = CountyIncomeForm(data={"county": place.county.pk, "year": get_year(2020).pk,
                                  "rural_income_per_capita": value})

    assert not form.is_valid()
    assert form.errors["rural_income_per_capita"] == [message]
    assert not CountyIncome.objects.exists()


def test_a_county_has_one_income_per_year(place):
    CountyIncome.objects.create(county=place.county, year=get_year(2020), rural_income_per_capita=15000)

    form = CountyIncomeForm(data={"county": place.county.pk, "year": 2020, "rural_income_per_capita": "16000"})
    assert not form.is_valid()
    with pytest.raises(IntegrityError), transaction.atomic():
        CountyIncome.objects.create(county=place.county, year=get_year(2020), rural_income_per_capita=16000)


def test_county_incomes_are_scoped_like_the_counties(place):
    other = County.objects.create(code="520303", name="汇川区", municipality=place.municipality)
    mine = CountyIncome.objects.create(county=place.county, year=get_year(2020), rural_income_per_capita=15000)
    CountyIncome.objects.create(county=other, year=get_year(2020), rural_income_per_capita=16000)

    assert list(CountyIncome.objects.within(Scope(level=Level.COUNTY, unit_id=place.county.pk))) == [mine]
    assert CountyIncome.objects.within(Scope(level=Level.MUNICIPALITY, unit_id=place.municipality.pk)).count() == 2
    assert not CountyIncome.objects.within(Scope(level=Level.TOWNSHIP, unit_id=place.township.pk)).exists()


def test_the_model_refuses_a_county_income_out_of_range(place):
    income = CountyIncome(county=place.county, year=get_year(2020), rural_income_per_capita=500)

    with pytest.raises(ValidationError) as raised:
        income.full_clean()

    assert raised.value.message_dict["rural_income_per_capita"] == ["Cannot be less than 1000."]
