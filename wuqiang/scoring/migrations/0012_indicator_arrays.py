"""Indicator scores stored as arrays instead of JSON: each ``VillageIndicators`` row holds its
indicators' values, points, denominators, bases and reference values position by position,
the positions named by an ``IndicatorLayout`` (PostgreSQL arrays; JSON arrays on SQLite).
Building the JSON printed every number as text and was the roll-up's largest statement.

The view ``scoring_villageindicatorscore`` (and ``scoring_villagepathstep``, which reads it) is
recreated over the arrays; existing rows are carried over exactly, both ways (a published
year's results cannot be recomputed without ``--force``). On PostgreSQL the conversion is
set-based SQL; on SQLite (the embedded default, a city at most) it runs in Python."""

from decimal import Decimal
from importlib import import_module

import django.db.models.deletion
import wuqiang.scoring.models
from django.db import migrations, models

from wuqiang.scoring.models import INDICATOR_SCORES_VIEW
from wuqiang.scoring.paths import STEPS_VIEW

# The view over the JSON scores, as migration 0010 created it (restored when going back).
JSON_VIEW = import_module("wuqiang.scoring.migrations.0010_compact_indicator_scores").VIEW
ARRAYS = ("value_array", "points_array", "denominator_array", "basis_array", "reference_array")
BATCH = 2000


def drop_views(apps, schema_editor):
    schema_editor.execute("DROP VIEW scoring_villagepathstep")
    schema_editor.execute("DROP VIEW scoring_villageindicatorscore")


def create_views(view):
    def create(apps, schema_editor):
        schema_editor.execute(view[schema_editor.connection.vendor])
        schema_editor.execute(STEPS_VIEW)
    return create


def _float(value):
    # SQLite's JSON held floats as 17-digit text.
    return None if value is None else float(value)


def _decimal(value):
    return None if value is None else Decimal(str(value))


# Each stored row read once (every -> on json text parses it again): its items in the JSON's
# order, aggregated into the layout's signature and the five arrays.
PG_ROWS = """
    CREATE TEMPORARY TABLE scoring_arrays_of AS
    SELECT s.id, string_agg(p.key || ':' || i.key, ',' ORDER BY p.n, i.n) AS signature,
           array_agg((i.value ->> 0)::double precision ORDER BY p.n, i.n) AS value_array,
           array_agg((i.value ->> 1)::numeric(6, 2) ORDER BY p.n, i.n) AS points_array,
           array_agg((i.value ->> 2)::double precision ORDER BY p.n, i.n) AS denominator_array,
           array_agg(i.value ->> 3 ORDER BY p.n, i.n) AS basis_array,
           array_agg((i.value ->> 4)::numeric(14, 2) ORDER BY p.n, i.n) AS reference_array
    FROM scoring_villageindicators s
    CROSS JOIN LATERAL json_each(s.scores) WITH ORDINALITY p(key, value, n)
    CROSS JOIN LATERAL json_each(p.value) WITH ORDINALITY i(key, value, n)
    GROUP BY s.id"""
PG_LAYOUTS = """
    INSERT INTO scoring_indicatorlayout (signature, codes, pillars)
    SELECT signature,
           ARRAY(SELECT split_part(x, ':', 2) FROM unnest(string_to_array(signature, ',')) WITH ORDINALITY u(x, n)
                 ORDER BY n),
           ARRAY(SELECT split_part(x, ':', 1) FROM unnest(string_to_array(signature, ',')) WITH ORDINALITY u(x, n)
                 ORDER BY n)
    FROM (SELECT DISTINCT signature FROM scoring_arrays_of) d"""
PG_ARRAYS = """
    UPDATE scoring_villageindicators s
    SET layout_id = l.id, value_array = a.value_array, points_array = a.points_array,
        denominator_array = a.denominator_array, basis_array = a.basis_array, reference_array = a.reference_array
    FROM scoring_arrays_of a INNER JOIN scoring_indicatorlayout l ON l.signature = a.signature
    WHERE a.id = s.id"""
# A row without a single indicator holds nothing the view would show.
EMPTY = "DELETE FROM scoring_villageindicators WHERE layout_id IS NULL"
# Back: per pillar an object of its codes' items (null where absent), in the layout's order.
PG_JSON = """
    UPDATE scoring_villageindicators s
    SET scores = (
        SELECT json_object_agg(pillar, items ORDER BY first) FROM (
            SELECT l.pillars[n] AS pillar, MIN(n) AS first,
                   json_object_agg(l.codes[n], CASE WHEN s.points_array[n] IS NOT NULL THEN json_build_array(
                       s.value_array[n], s.points_array[n], s.denominator_array[n], s.basis_array[n],
                       s.reference_array[n]) END ORDER BY n) AS items
            FROM generate_subscripts(l.codes, 1) n GROUP BY l.pillars[n]) x)
    FROM scoring_indicatorlayout l WHERE l.id = s.layout_id"""


def to_arrays(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in (PG_ROWS, PG_LAYOUTS, PG_ARRAYS, "DROP TABLE scoring_arrays_of", EMPTY):
            schema_editor.execute(statement)
        return
    VillageIndicators = apps.get_model("scoring", "VillageIndicators")
    IndicatorLayout = apps.get_model("scoring", "IndicatorLayout")
    layouts: dict[str, int] = {}
    batch = []
    for row in VillageIndicators.objects.order_by("pk").iterator(chunk_size=BATCH):
        items = [(pillar, code, item) for pillar, codes in row.scores.items() for code, item in codes.items()]
        if not items:
            continue  # left without a layout, deleted below
        signature = ",".join(f"{pillar}:{code}" for pillar, code, _item in items)
        if signature not in layouts:
            layouts[signature] = IndicatorLayout.objects.create(
                signature=signature, codes=[c for _p, c, _i in items], pillars=[p for p, _c, _i in items]).pk
        row.layout_id = layouts[signature]
        elements = [item or [None] * 5 for _p, _c, item in items]
        row.value_array = [_float(e[0]) for e in elements]
        row.points_array = [_decimal(e[1]) for e in elements]
        row.denominator_array = [_float(e[2]) for e in elements]
        row.basis_array = [e[3] for e in elements]
        row.reference_array = [_decimal(e[4]) for e in elements]
        batch.append(row)
        if len(batch) == BATCH:
            VillageIndicators.objects.bulk_update(batch, ["layout", *ARRAYS])
            batch = []
    VillageIndicators.objects.bulk_update(batch, ["layout", *ARRAYS])
    schema_editor.execute(EMPTY)


def _json_number(value):
    return None if value is None else float(value)


def to_json(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_JSON)
        return
    VillageIndicators = apps.get_model("scoring", "VillageIndicators")
    IndicatorLayout = apps.get_model("scoring", "IndicatorLayout")
    sqlite = schema_editor.connection.vendor == "sqlite"
    layouts = {layout.pk: list(zip(layout.pillars, layout.codes)) for layout in IndicatorLayout.objects.all()}
    batch = []
    for row in VillageIndicators.objects.order_by("pk").iterator(chunk_size=BATCH):
        scores: dict = {}
        for i, (pillar, code) in enumerate(layouts[row.layout_id]):
            item = None
            if row.points_array[i] is not None:
                value, denominator = row.value_array[i], row.denominator_array[i]
                if sqlite:  # as migration 0010 and the roll-up wrote them there
                    value, denominator = (None if v is None else format(v, ".17g") for v in (value, denominator))
                item = [value, _json_number(row.points_array[i]), denominator, row.basis_array[i],
                        _json_number(row.reference_array[i])]
            scores.setdefault(pillar, {})[code] = item
        row.scores = scores
        batch.append(row)
        if len(batch) == BATCH:
            VillageIndicators.objects.bulk_update(batch, ["scores"])
            batch = []
    VillageIndicators.objects.bulk_update(batch, ["scores"])


def array_field(element_type, verbose_name, *, null):
    return wuqiang.scoring.models.ScoreArrayField(element_type=element_type, verbose_name=verbose_name, null=null)


def array_fields(*, null):
    return [
        ("value_array", array_field("double precision", "values", null=null)),
        ("points_array", array_field("numeric(6, 2)", "points", null=null)),
        ("denominator_array", array_field("double precision", "denominators", null=null)),
        ("basis_array", array_field("varchar(32)", "bases", null=null)),
        ("reference_array", array_field("numeric(14, 2)", "reference values", null=null)),
    ]


def layout_field(*, null):
    return models.ForeignKey(db_constraint=False, db_index=False, null=null,
                             on_delete=django.db.models.deletion.PROTECT, related_name='+',
                             to='scoring.indicatorlayout', verbose_name='indicator layout')


class Migration(migrations.Migration):

    dependencies = [
        ('scoring', '0011_path_steps_view'),
    ]

    operations = [
        # The views read the columns being replaced: gone while the table changes.
        migrations.RunPython(drop_views, create_views(JSON_VIEW)),
        migrations.CreateModel(
            name='IndicatorLayout',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('signature', models.TextField(unique=True, verbose_name='signature')),
                ('codes', wuqiang.scoring.models.ScoreArrayField(element_type='varchar(8)', verbose_name='indicators')),
                ('pillars', wuqiang.scoring.models.ScoreArrayField(element_type='varchar(16)', verbose_name='pillars')),
            ],
            options={
                'verbose_name': 'indicator layout',
                'verbose_name_plural': 'indicator layouts',
            },
        ),
        migrations.AddField(model_name='villageindicators', name='layout', field=layout_field(null=True)),
        *(migrations.AddField(model_name='villageindicators', name=name, field=field)
          for name, field in array_fields(null=True)),
        migrations.RunPython(to_arrays, to_json),
        migrations.RemoveField(model_name='villageindicators', name='scores'),
        migrations.AlterField(model_name='villageindicators', name='layout', field=layout_field(null=False)),
        *(migrations.AlterField(model_name='villageindicators', name=name, field=field)
          for name, field in array_fields(null=False)),
        migrations.RunPython(create_views(INDICATOR_SCORES_VIEW), drop_views),
    ]
