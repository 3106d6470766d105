"""Every pillar registers its sheets, and their declarations match the models and forms."""

from __future__ import annotations

import pytest
from django.db import models
from django.utils.functional import Promise

from wuqiang.entries.models import Pillar
from wuqiang.entries.registry import get_sheet, township_sheets, village_sheets
from wuqiang.regions.models import Level

ALL_SHEETS = [*village_sheets(), *township_sheets()]


def test_each_pillar_has_a_village_sheet_in_order():
    assert [s.pillar for s in village_sheets()] == list(Pillar)


def test_support_has_the_township_facilities_sheet():
    sheet = get_sheet("support-township")

    assert sheet is not None
    assert sheet.level == Level.TOWNSHIP
    assert sheet.profile_model._meta.model_name == "townshipfacilities"
    assert [s.slug for s in township_sheets()] == ["support-township"]


def test_the_talent_sheet_requires_cadres():
    sheet = get_sheet("talent")

    assert [(r.model._meta.model_name, r.required) for r in sheet.records] == [
        ("cadre", True), ("sentdown", False), ("trainee", False)
    ]


def editable_fields(model) -> set[str]:
    return {f.name for f in model._meta.concrete_fields if f.editable and f.name not in {"id", "entry"}}


@pytest.mark.parametrize("sheet", ALL_SHEETS, ids=lambda s: s.slug)
def test_the_profile_form_covers_every_editable_field(sheet):
    assert set(sheet.profile_form.base_fields) == editable_fields(sheet.profile_model)


@pytest.mark.parametrize("sheet", ALL_SHEETS, ids=lambda s: s.slug)
def test_each_record_form_covers_every_editable_field(sheet):
    for record in sheet.records:
        assert record.form._meta.model is record.model
        assert set(record.form.base_fields) == editable_fields(record.model), record.model


@pytest.mark.parametrize("sheet", ALL_SHEETS, ids=lambda s: s.slug)
def test_required_fields_and_fieldsets_name_real_fields(sheet):
    fields = set(sheet.profile_form.base_fields)
    in_fieldsets = [name for _legend, names in sheet.fieldsets for name in names]

    assert set(sheet.required_fields) <= fields
    assert len(in_fieldsets) == len(set(in_fieldsets))
    assert set(in_fieldsets) == fields


@pytest.mark.parametrize("sheet", ALL_SHEETS, ids=lambda s: s.slug)
def test_every_model_is_documented_and_every_field_labelled_for_translation(sheet):
    for model in [sheet.profile_model, *(r.model for r in sheet.records)]:
        # Django fills in "Model(field, …)" when a model has no docstring.
        assert not model.__doc__.startswith(f"{model.__name__}("), model
        for field in model._meta.concrete_fields:
            if field.name == "id":
                continue
            assert isinstance(field.verbose_name, Promise), f"{model.__name__}.{field.name}"
            if isinstance(field, (models.IntegerField, models.DecimalField)):
                assert field.help_text, f"{model.__name__}.{field.name} has no unit"


def test_profiles_hang_off_the_entry_under_the_registry_name(make_entry):
    entry = make_entry(Pillar.ORGANIZATIONS)
    sheet = get_sheet("organizations")
    sheet.profile_model.objects.create(entry=entry, households=10)

    assert getattr(entry, sheet.profile_accessor).households == 10


def test_number_inputs_carry_the_model_limits():
    widget = get_sheet("support").profile_form.base_fields["months_paid_on_time"].widget

    assert widget.attrs["min"] == 0
    assert widget.attrs["max"] == 12
