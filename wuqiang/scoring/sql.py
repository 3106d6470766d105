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


def json_array(*exprs: str) -> str:
    build = "json_build_array" if connection.vendor == "postgresql" else "json_array"
    return f"{build}({', '.join(exprs)})"


def json_float(expr: str) -> str:
    """A DOUBLE PRECISION expression as a JSON element that reads back as the same number.
    PostgreSQL writes it with as many digits as it needs; SQLite's JSON functions print REAL with 15 digits, so
    there it goes in as 17-digit text (read back with CAST … AS REAL). For statements run with
    parameters, where ``%%`` is a literal ``%``."""
    if connection.vendor == "postgresql":
        return expr
    return f"CASE WHEN {expr} IS NULL THEN NULL ELSE printf('%%!.17g', {expr}) END"


def array(exprs: list[str], element_type: str) -> str:
    """SQL expressions as one array of ``element_type`` (a ``ScoreArrayField``'s): PostgreSQL's
    ``ARRAY[…]``, a JSON array on SQLite (floats as 17-digit text, see :func:`json_float`)."""
    if connection.vendor == "postgresql":
        return f"CAST(ARRAY[{', '.join(exprs)}] AS {element_type}[])"
    if element_type == "double precision":
        exprs = [json_float(expr) for expr in exprs]
    return json_array(*exprs)
