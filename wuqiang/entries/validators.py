"""Range validators with the messages clerks read, and the form fields every pillar form uses.

Model fields declare their sane range with ``at_least`` / ``at_most``; pillar forms set
``Meta.formfield_callback = formfield_with_model_limits`` so the form field checks the same
range with the same message (instead of Django's generic "Ensure this value is …") and the
browser's number input gets matching ``min``/``max``. The same callback makes yes/no fields
refuse unknown values and free text refuse control characters, for every pillar at once.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

Number = int | Decimal


def at_least(limit: Number) -> MinValueValidator:
    if limit == 0:
        return MinValueValidator(limit, _("Cannot be negative."))
    return MinValueValidator(limit, _("Cannot be less than %(limit_value)s."))


def at_most(limit: Number) -> MaxValueValidator:
    return MaxValueValidator(limit, _("Cannot be more than %(limit_value)s."))


def between(low: Number, high: Number) -> list[MinValueValidator | MaxValueValidator]:
    return [at_least(low), at_most(high)]


_LIMITS = (MinValueValidator, MaxValueValidator)


def formfield_with_model_limits(db_field: models.Field, **kwargs: Any) -> forms.Field | None:
    """The default form field, with its generic range checks replaced by the model's own."""
    from wuqiang.core.validators import multiline, single_line
    from wuqiang.entries.forms import StrictBooleanField, YesNoField

    if isinstance(db_field, models.BooleanField) and not db_field.choices:
        kwargs.setdefault("form_class", YesNoField if db_field.null else StrictBooleanField)
    field = db_field.formfield(**kwargs)
    if field is None:
        return None
    if isinstance(db_field, (models.CharField, models.TextField)) and isinstance(field, forms.CharField):
        field.validators.append(multiline if isinstance(db_field, models.TextField) else single_line)
    # ``_validators`` are the ones declared on the field, without the database-range ones
    # Django adds to integer fields.
    limits = [v for v in db_field._validators if isinstance(v, _LIMITS)]
    if limits:
        field.validators = [v for v in field.validators if not isinstance(v, _LIMITS)] + limits
        for validator in limits:
            attr = "min" if isinstance(validator, MinValueValidator) else "max"
            field.widget.attrs[attr] = validator.limit_value
    return field
