"""Fast loading of the demo's few hundred thousand rows.

Django's ``bulk_create`` builds a model instance and adapts every value field by field: for the
demo's ~300,000 records that alone would take most of a minute. The seeder knows its values are
already of the right types, so it reserves primary keys up front (the approved snapshots name
records by their keys before they are written) and writes rows with one ``executemany`` on
SQLite or ``COPY`` on PostgreSQL. Only the demo seeder uses this; the application writes
through its services.
"""

from __future__ import annotations

import datetime
import decimal
import json
import operator
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.db import connection, models

Row = Mapping[str, Any]


def reserve_ids(model: type[models.Model], count: int) -> list[int]:
    """``count`` primary keys for new rows of ``model`` that nothing else will take."""
    if count <= 0:
        return []
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # A block of the table's own sequence in one statement. Should another session take
            # a number between the two calls, the seeder's insert fails on the key and its
            # transaction rolls back whole: never a silent overwrite.
            cursor.execute("SELECT setval(pg_get_serial_sequence(%s, 'id'), "
                           "nextval(pg_get_serial_sequence(%s, 'id')) + %s - 1)",
                           [connection.ops.quote_name(table)] * 2 + [count])
            last = cursor.fetchone()[0]
            return list(range(last - count + 1, last + 1))
        # SQLite: the seeder's transaction holds the write lock, so the next keys are free; an
        # AUTOINCREMENT table also never reuses a key it handed out before (sqlite_sequence).
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {connection.ops.quote_name(table)}")
        start = cursor.fetchone()[0]
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        found = cursor.fetchone()
        start = max(start, found[0] if found else 0)
    return list(range(start + 1, start + 1 + count))


class RawJson(str):
    """A JSON document already serialised (the seeder dumps each snapshot as soon as it is made,
    rather than holding a year's snapshots as Python objects)."""


def dump_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _json(value: Any) -> str | None:
    if value is None or isinstance(value, RawJson):
        return value
    return dump_json(value)


def _sqlite_datetime(value: datetime.datetime | None) -> str | None:
    # As Django's SQLite backend stores an aware datetime with USE_TZ: naive UTC text.
    return None if value is None else str(value.astimezone(datetime.UTC).replace(tzinfo=None))


def _converter(field: models.Field) -> Callable[[Any], Any] | None:
    """How one column's Python values reach the database driver (None: as they are). Both
    drivers take dates, decimals and booleans as they are (Django registers SQLite's adapters;
    psycopg's COPY adapts them itself)."""
    if isinstance(field, models.JSONField):
        return _json
    if connection.vendor != "postgresql" and isinstance(field, models.DateTimeField):
        return _sqlite_datetime
    return None


def insert(model: type[models.Model], rows: Iterable[Row]) -> int:
    """Write ``rows`` ({field name: value}, all with the same keys) into ``model``'s table. A
    field the rows leave out takes the field's default, as with ``Model()`` (rows without a
    primary key are numbered by the database); values must already be of the field's Python
    type (Decimals at the field's decimal places, dates, aware datetimes, ids for foreign keys)."""
    rows = list(rows)
    if not rows:
        return 0
    fields = list(model._meta.concrete_fields)
    pk = model._meta.pk
    if pk.name not in rows[0] and isinstance(pk, models.AutoField):
        fields.remove(pk)  # numbered by the database
    names = [f.name for f in fields]
    defaults = {f.name: f.get_default() for f in fields if f.name not in rows[0]}
    if defaults:
        rows = [{**defaults, **row} for row in rows]
    data = list(map(operator.itemgetter(*names), rows))
    conversions = [(i, convert) for i, f in enumerate(fields) if (convert := _converter(f)) is not None]
    if conversions:
        data = [_converted(values, conversions) for values in data]
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for values in data:
                    copy.write_row(values)
        else:
            marks = ", ".join(["%s"] * len(fields))
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", data)
    return len(data)


def _converted(values: tuple, conversions: list[tuple[int, Callable[[Any], Any]]]) -> tuple:
    converted = list(values)
    for i, convert in conversions:
        converted[i] = convert(converted[i])
    return tuple(converted)


def cents(value: decimal.Decimal | int | float, places: int = 2) -> decimal.Decimal:
    """A number at a DecimalField's precision, as the database gives it back."""
    return decimal.Decimal(str(value)).quantize(decimal.Decimal(1).scaleb(-places), rounding=decimal.ROUND_HALF_UP)


def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    """An aware datetime on ``day`` in the project's time zone (office hours of the demo's people)."""
    from django.utils import timezone

    return datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=timezone.get_default_timezone())
