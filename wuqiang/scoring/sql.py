"""The pieces the roll-up, the paths step and the what-if preview write their SQL with: table
names and literals made only from the project's own models, validated scheme numbers and
constants of its own choices — never from user input."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import connection


def table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def number(value: Any) -> str:
    """A number as an SQL literal; only ever fed validated scheme values."""
    exact = Decimal(str(value))
    if not exact.is_finite():
        raise ValueError(f"not a finite number: {value!r}")
    return format(exact, "f")


def ident(text: str) -> str:
    """A constant from our own choices (letters, digits, underscores), checked."""
    if not text.replace("_", "").isalnum():
        raise ValueError(f"unexpected constant: {text!r}")
    return text


def text(value: str) -> str:
    """A constant from our own choices as an SQL string literal."""
    return f"'{ident(value)}'"
