"""The admin lists every pillar model, with its filters, without errors."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import reverse

from organizations.models import BranchProfile, Meeting
from wuqiang.accounts.models import User
from wuqiang.entries.models import Change, Entry, Pillar

APPS = {"organizations", "talent", "economy", "governance", "support", "entries"}
MODELS = sorted(
    (m for m in admin.site._registry if m._meta.app_label in APPS), key=lambda m: m._meta.label
)


def test_every_pillar_model_is_in_the_admin():
    from django.apps import apps

    for label in APPS:
        for model in apps.get_app_config(label).get_models():
            assert model in admin.site._registry, model


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.label)
def test_the_admin_changelist_renders(client, make_entry, model):
    entry = make_entry(Pillar.ORGANIZATIONS)
    BranchProfile.objects.create(entry=entry, households=100)
    Meeting.objects.create(entry=entry, date="2021-03-01", kind="committee")
    client.force_login(User.objects.create_superuser("root", password="x"))
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")

    response = client.get(url, {"q": "青石"})

    assert response.status_code == 200


def test_history_is_read_only_in_the_admin(rf):
    model_admin = admin.site._registry[Change]
    request = rf.get("/")

    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)
    assert "state" in admin.site._registry[Entry].readonly_fields
