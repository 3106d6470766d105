"""Binding and saving pillar forms the way the entry service does."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.forms import ModelForm

from wuqiang.entries.models import Entry


def bind(form_class: type[ModelForm], entry: Entry, data: dict[str, Any], instance: models.Model | None = None):
    return form_class(data=data, entry=entry, instance=instance)


def save(form: ModelForm, entry: Entry) -> models.Model:
    """Save a valid form for ``entry`` as ``entries.services.entry_save`` does."""
    assert form.is_valid(), form.errors
    obj = form.save(commit=False)
    obj.entry = entry
    obj.save()
    return obj


def with_changes(data: dict[str, Any], **changes: Any) -> dict[str, Any]:
    return {**data, **changes}


def check(entry: Entry, *, sheet: str | None = None, **profile: Any):
    """Validate a profile change as the entry services do (every field rule, the sheet's rules
    and the rules spanning two sheets); returns the clean input or raises InvalidSheet."""
    from wuqiang.entries.registry import get_sheet
    from wuqiang.entries.validation import SheetInput, validate_sheet

    return validate_sheet(get_sheet(sheet or entry.pillar), entry, SheetInput(profile=profile))
