"""Indicator scores stored one row per village and year (``VillageIndicators.scores``, JSON)
instead of one row per indicator; ``scoring_villageindicatorscore`` becomes a read-only view
over it with the old table's columns, so every reader keeps reading one row per indicator.

Existing rows are carried over (a published year's results cannot be recomputed without
``--force``). Floats are written to SQLite's JSON as 17-digit text: its JSON functions print
REAL with 15 digits, which would not read back as the same number."""

import django.db.models.deletion
import wuqiang.scoring.models
from django.db import migrations, models

TABLE = "scoring_villageindicatorscore"
STORE = "scoring_villageindicators"

VIEW = {
    "postgresql": f"""
        CREATE VIEW {TABLE} AS
        SELECT s.year_id, s.village_id, i.key AS code, p.key AS pillar,
               (i.value->>0)::double precision AS value, (i.value->>1)::numeric(6, 2) AS points,
               (i.value->>2)::double precision AS denominator, i.value->>3 AS basis,
               (i.value->>4)::numeric(14, 2) AS reference
        FROM {STORE} s CROSS JOIN LATERAL json_each(s.scores) p CROSS JOIN LATERAL json_each(p.value) i
        WHERE json_typeof(i.value) = 'array'""",
    "sqlite": f"""
        CREATE VIEW {TABLE} AS
        SELECT s.year_id, s.village_id, i.key AS code, p.key AS pillar,
               CAST(json_extract(i.value, '$[0]') AS REAL) AS value, json_extract(i.value, '$[1]') AS points,
               CAST(json_extract(i.value, '$[2]') AS REAL) AS denominator, json_extract(i.value, '$[3]') AS basis,
               json_extract(i.value, '$[4]') AS reference
        FROM {STORE} s, json_each(s.scores) p, json_each(p.value) i
        WHERE i.type = 'array'""",
}

COPY = {
    "postgresql": f"""
        INSERT INTO {STORE} (year_id, village_id, scores)
        SELECT year_id, village_id, json_object_agg(pillar, codes) FROM (
            SELECT year_id, village_id, pillar,
                   json_object_agg(code, json_build_array(value, points, denominator, basis, reference)) AS codes
            FROM {TABLE} GROUP BY year_id, village_id, pillar) x
        GROUP BY year_id, village_id""",
    "sqlite": f"""
        INSERT INTO {STORE} (year_id, village_id, scores)
        SELECT year_id, village_id, json_group_object(pillar, json(codes)) FROM (
            SELECT year_id, village_id, pillar,
                   json_group_object(code, json_array(
                       CASE WHEN value IS NULL THEN NULL ELSE printf('%!.17g', value) END, points,
                       CASE WHEN denominator IS NULL THEN NULL ELSE printf('%!.17g', denominator) END,
                       basis, reference)) AS codes
            FROM {TABLE} GROUP BY year_id, village_id, pillar) x
        GROUP BY year_id, village_id""",
}


def to_compact(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    schema_editor.execute(COPY[vendor])
    schema_editor.execute(f"DROP TABLE {TABLE}")
    schema_editor.execute(VIEW[vendor])


def to_rows(apps, schema_editor):
    schema_editor.execute(f"CREATE TABLE scoring_rows_back AS SELECT * FROM {TABLE}")
    schema_editor.execute(f"DROP VIEW {TABLE}")
    schema_editor.create_model(apps.get_model("scoring", "VillageIndicatorScore"))
    columns = "year_id, village_id, code, pillar, value, points, denominator, basis, reference"
    schema_editor.execute(f"INSERT INTO {TABLE} ({columns}) SELECT {columns} FROM scoring_rows_back")
    schema_editor.execute("DROP TABLE scoring_rows_back")


class Migration(migrations.Migration):

    dependencies = [
        ('regions', '0002_municipal_years'),
        ('scoring', '0009_failing_list_indexes'),
    ]

    operations = [
        migrations.CreateModel(
            name='VillageIndicators',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('scores', wuqiang.scoring.models.WrittenJSONField(default=dict, verbose_name='indicator scores')),
                ('village', models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='regions.village', verbose_name='village')),
                ('year', models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='regions.assessmentyear', verbose_name='year')),
            ],
            options={
                'verbose_name': 'village indicator scores',
                'verbose_name_plural': 'village indicator scores',
                'constraints': [models.UniqueConstraint(fields=('year', 'village'), name='village_indicators_unique')],
            },
        ),
        migrations.RunPython(to_compact, to_rows),
        migrations.SeparateDatabaseAndState(state_operations=[
            migrations.DeleteModel(name='VillageIndicatorScore'),
            migrations.CreateModel(
                name='VillageIndicatorScore',
                fields=[
                    ('pk', models.CompositePrimaryKey('year_id', 'village_id', 'code', blank=True, editable=False, primary_key=True, serialize=False)),
                    ('code', models.CharField(max_length=8, verbose_name='indicator')),
                    ('pillar', models.CharField(choices=[('organizations', 'Strong organisational function'), ('talent', 'Strong talent team'), ('economy', 'Strong collective economy'), ('governance', 'Strong governance'), ('support', 'Strong support')], max_length=16, verbose_name='pillar')),
                    ('value', models.FloatField(null=True, verbose_name='value')),
                    ('denominator', models.FloatField(null=True, verbose_name='denominator')),
                    ('points', models.DecimalField(decimal_places=2, max_digits=6, verbose_name='points')),
                    ('basis', models.CharField(blank=True, default='', max_length=32, verbose_name='basis')),
                    ('reference', models.DecimalField(decimal_places=2, max_digits=14, null=True, verbose_name='reference value')),
                    ('village', models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='regions.village', verbose_name='village')),
                    ('year', models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='regions.assessmentyear', verbose_name='year')),
                ],
                options={
                    'verbose_name': 'village indicator score',
                    'verbose_name_plural': 'village indicator scores',
                    'db_table': 'scoring_villageindicatorscore',
                    'managed': False,
                },
            ),
        ]),
    ]
