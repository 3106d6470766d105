"""Input rules every door shares: plain text without control characters, bounded length, and
finite numbers. Model fields carry these validators (so forms, the admin, imports and the API
refuse the same values with the same message); services call ``plain_text`` for the free text
they take directly (a return comment, a reopen reason, a nomination note)."""

from __future__ import annotations

import datetime
import unicodedata
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.dateparse import parse_date
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

# Line breaks and tabs are text in a multi-line field; every other control character (NUL
# above all: PostgreSQL refuses it in text) is refused.
MULTILINE_ALLOWED = frozenset("\n\r\t")

# The longest free text any field takes: comments, reasons, explanations.
LONG_TEXT = 2000
SHORT_TEXT = 200


def _control_characters(value: str, allowed: frozenset[str]) -> list[str]:
    return [c for c in value if unicodedata.category(c) in ("Cc", "Cs") and c not in allowed]


@deconstructible
class NoControlCharacters:
    """Refuses NUL and the other control characters; ``multiline`` keeps line breaks and tabs."""

    def __init__(self, multiline: bool = False) -> None:
        self.multiline = multiline

    def __call__(self, value: Any) -> None:
        if not isinstance(value, str):
            return
        allowed = MULTILINE_ALLOWED if self.multiline else frozenset()
        if _control_characters(value, allowed):
            if self.multiline:
                message = _("The text contains control characters; type or paste plain text.")
            else:
                message = _("The text contains control characters or line breaks; type it on one line.")
            raise ValidationError(message, code="control_characters")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, NoControlCharacters) and other.multiline == self.multiline


single_line = NoControlCharacters()
multiline = NoControlCharacters(multiline=True)


def plain_text(value: Any, *, max_length: int = LONG_TEXT, required: bool = False, field: str,
               required_message: str | None = None, multiline_text: bool = True) -> str:
    """``value`` as stripped plain text, or a ValidationError on ``field`` saying what is wrong."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValidationError({field: _("Enter text.")}, code="invalid")
    text = value.strip()
    if required and not text:
        raise ValidationError({field: required_message or _("This field is required.")}, code="required")
    if len(text) > max_length:
        raise ValidationError({field: _("Keep it to %(limit)d characters (it has %(length)d).")
                               % {"limit": max_length, "length": len(text)}}, code="max_length")
    try:
        (multiline if multiline_text else single_line)(text)
    except ValidationError as error:
        raise ValidationError({field: error.messages}) from None
    return text


def finite_decimal(value: Any, *, low: Decimal, high: Decimal) -> Decimal | None:
    """``value`` as a Decimal within [low, high], or None if it is not a finite number there
    (NaN, infinities and 1e400 included)."""
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, TypeError, ValueError):
        return None
    if not number.is_finite() or not low <= number <= high:
        return None
    return number


def date_or_none(value: Any) -> datetime.date | None:
    """A posted ``YYYY-MM-DD`` as a date; None for anything else (the service then says why)."""
    try:
        return parse_date(value or "")
    except (TypeError, ValueError):
        return None
