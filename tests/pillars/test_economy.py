"""集体经济强: money in 万元, development models and supervision."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from economy.forms import EconomyProfileForm
from economy.models import EconomyProfile
from tests.pillars.helpers import bind, save, with_changes
from wuqiang.entries.models import Pillar
from wuqiang.entries.snapshots import display_value

ECONOMY = {
    "organisation_registered": "true",
    "property_reform_done": "true",
    "operating_income": "35.20",
    "total_income": "80.00",
    "assets": "420.50",
    "liabilities": "12.00",
    "development_models": ["lease_back", "joint_venture"],
    "supervisory_board": "true",
    "disclosure_quarters": "4",
    "township_managed_finance": "true",
    "head_changed": "true",
    "departure_audit_done": "true",
    "demonstration_base": "false",
}


@pytest.fixture
def entry(make_entry):
    return make_entry(Pillar.ECONOMY)


def refused(entry, data, field, message):
    form = bind(EconomyProfileForm, entry, data)
    assert not form.is_valid()
    assert form.errors[field] == [message]
    assert not EconomyProfile.objects.exists()


def test_an_economy_profile_saves(entry):
    profile = save(bind(EconomyProfileForm, entry, ECONOMY), entry)

    profile.refresh_from_db()
    assert profile.operating_income == Decimal("35.20")
    assert profile.development_models == ["lease_back", "joint_venture"]
    assert profile.departure_audit_done is True


def test_no_development_model_saves_as_an_empty_list(entry):
    profile = save(bind(EconomyProfileForm, entry, with_changes(ECONOMY, development_models=[])), entry)

    profile.refresh_from_db()
    assert profile.development_models == []


def test_it_rejects_operating_income_above_total_income(entry):
    refused(entry, with_changes(ECONOMY, operating_income="80.01"), "operating_income",
            "Operating income cannot exceed total income (80.00 × 10,000 yuan).")


def test_it_rejects_negative_money(entry):
    refused(entry, with_changes(ECONOMY, liabilities="-0.01"), "liabilities", "Cannot be negative.")


def test_it_rejects_more_than_two_decimals(entry):
    form = bind(EconomyProfileForm, entry, with_changes(ECONOMY, assets="1.234"))

    assert not form.is_valid()
    assert "assets" in form.errors


def test_it_rejects_five_disclosure_quarters(entry):
    refused(entry, with_changes(ECONOMY, disclosure_quarters="5"), "disclosure_quarters", "Cannot be more than 4.")


def test_it_rejects_an_unknown_development_model_in_the_form(entry):
    refused(entry, with_changes(ECONOMY, development_models=["lease_back", "casino"]), "development_models",
            "Select a valid choice. casino is not one of the available choices.")


def test_the_model_rejects_an_unknown_development_model(entry):
    profile = EconomyProfile(entry=entry, development_models=["lease_back", "casino"])

    with pytest.raises(ValidationError) as raised:
        profile.full_clean()

    assert raised.value.message_dict["development_models"] == ["Unknown development model: casino."]


def test_the_model_rejects_development_models_that_are_not_a_list(entry):
    profile = EconomyProfile(entry=entry, development_models="lease_back")

    with pytest.raises(ValidationError) as raised:
        profile.full_clean()

    assert raised.value.message_dict["development_models"] == ["Development models must be a list."]


@pytest.mark.parametrize("head_changed", ["false", "unknown"])
def test_it_rejects_a_departure_audit_without_a_change_of_head(entry, head_changed):
    refused(entry, with_changes(ECONOMY, head_changed=head_changed), "departure_audit_done",
            "A departure audit applies only when the head of the collective changed.")


def test_no_departure_audit_is_fine_when_the_head_stayed(entry):
    form = bind(EconomyProfileForm, entry, with_changes(ECONOMY, head_changed="false", departure_audit_done="false"))

    assert form.is_valid(), form.errors


def test_history_shows_development_models_by_their_labels():
    assert display_value(EconomyProfile, "development_models", ["lease_back", "employment"]) == (
        "Lease and sub-contract back、Employment participation"
    )
