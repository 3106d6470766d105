"""Path steps stored with their path (``VillagePath.steps``, JSON) instead of one row per step;
``scoring_villagepathstep`` becomes a read-only view over it with the old table's columns.
Existing steps are carried over (SQLite floats as 17-digit text, as in 0010)."""

import django.db.models.deletion
from django.db import migrations, models

TABLE = "scoring_villagepathstep"
PATHS = "scoring_villagepath"
COLUMNS = "kind, code, pillar, value, denominator, target, points, gain, available, basis, reference"

VIEW = {
    "postgresql": f"""
        CREATE VIEW {TABLE} AS
        SELECT p.year_id, p.village_id, s->>0 AS kind, s->>1 AS code, s->>2 AS pillar,
               (s->>3)::double precision AS value, (s->>4)::double precision AS denominator,
               (s->>5)::double precision AS target, (s->>6)::numeric(6, 2) AS points,
               (s->>7)::numeric(6, 2) AS gain, (s->>8)::numeric(6, 2) AS available, s->>9 AS basis,
               (s->>10)::numeric(14, 2) AS reference
        FROM {PATHS} p CROSS JOIN LATERAL jsonb_array_elements(p.steps) s""",
    "sqlite": f"""
        CREATE VIEW {TABLE} AS
        SELECT p.year_id, p.village_id, json_extract(s.value, '$[0]') AS kind, json_extract(s.value, '$[1]') AS code,
               json_extract(s.value, '$[2]') AS pillar, CAST(json_extract(s.value, '$[3]') AS REAL) AS value,
               CAST(json_extract(s.value, '$[4]') AS REAL) AS denominator,
               CAST(json_extract(s.value, '$[5]') AS REAL) AS target, json_extract(s.value, '$[6]') AS points,
               json_extract(s.value, '$[7]') AS gain, json_extract(s.value, '$[8]') AS available,
               json_extract(s.value, '$[9]') AS basis, json_extract(s.value, '$[10]') AS reference
        FROM {PATHS} p, json_each(p.steps) s""",
}


def _float(vendor: str, column: str) -> str:
    if vendor == "postgresql":
        return column
    return f"CASE WHEN {column} IS NULL THEN NULL ELSE printf('%!.17g', {column}) END"


def to_compact(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        aggregate = ("jsonb_agg(jsonb_build_array(kind, code, pillar, value, denominator, target, points, gain, "
                     "available, basis, reference) ORDER BY kind, code)")
    else:
        floats = ", ".join(_float(vendor, c) for c in ("value", "denominator", "target"))
        aggregate = f"json_group_array(json_array(kind, code, pillar, {floats}, points, gain, available, basis, reference))"
    schema_editor.execute(
        f"UPDATE {PATHS} SET steps = (SELECT {aggregate} FROM {TABLE} s "
        f"WHERE s.year_id = {PATHS}.year_id AND s.village_id = {PATHS}.village_id) "
        f"WHERE EXISTS (SELECT 1 FROM {TABLE} s WHERE s.year_id = {PATHS}.year_id AND s.village_id = {PATHS}.village_id)")
    schema_editor.execute(f"DROP TABLE {TABLE}")
    schema_editor.execute(VIEW[vendor])


def to_rows(apps, schema_editor):
    schema_editor.execute(f"CREATE TABLE scoring_steps_back AS SELECT year_id, village_id, {COLUMNS} FROM {TABLE}")
    schema_editor.execute(f"DROP VIEW {TABLE}")
    schema_editor.create_model(apps.get_model("scoring", "VillagePathStep"))
    schema_editor.execute(f"INSERT INTO {TABLE} (year_id, village_id, {COLUMNS}) "
                          f"SELECT year_id, village_id, {COLUMNS} FROM scoring_steps_back")
    schema_editor.execute("DROP TABLE scoring_steps_back")


class Migration(migrations.Migration):

    dependencies = [
        ('scoring', '0010_compact_indicator_scores'),
    ]

    operations = [
        migrations.AddField(
            model_name='villagepath',
            name='steps',
            field=models.JSONField(blank=True, default=list, verbose_name='steps'),
        ),
        migrations.RunPython(to_compact, to_rows),
        migrations.SeparateDatabaseAndState(state_operations=[
            migrations.DeleteModel(name='VillagePathStep'),
            migrations.CreateModel(
                name='VillagePathStep',
                fields=[
                    ('pk', models.CompositePrimaryKey('year_id', 'village_id', 'kind', 'code', blank=True, editable=False, primary_key=True, serialize=False)),
                    ('kind', models.CharField(choices=[('veto', 'Clear a veto item'), ('indicator', "Earn an indicator's points"), ('pillar', 'Have a pillar approved')], max_length=12, verbose_name='kind')),
                    ('code', models.CharField(max_length=24, verbose_name='code')),
                    ('pillar', models.CharField(blank=True, choices=[('organizations', 'Strong organisational function'), ('talent', 'Strong talent team'), ('economy', 'Strong collective economy'), ('governance', 'Strong governance'), ('support', 'Strong support')], default='', max_length=16, verbose_name='pillar')),
                    ('value', models.FloatField(null=True, verbose_name='value')),
                    ('denominator', models.FloatField(null=True, verbose_name='denominator')),
                    ('target', models.FloatField(null=True, verbose_name='value to reach')),
                    ('points', models.DecimalField(decimal_places=2, max_digits=6, null=True, verbose_name='points now')),
                    ('gain', models.DecimalField(decimal_places=2, max_digits=6, null=True, verbose_name='points gained')),
                    ('available', models.DecimalField(decimal_places=2, max_digits=6, null=True, verbose_name='points available')),
                    ('basis', models.CharField(blank=True, default='', max_length=32, verbose_name='basis')),
                    ('reference', models.DecimalField(decimal_places=2, max_digits=14, null=True, verbose_name='reference value')),
                    ('village', models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='regions.village', verbose_name='village')),
                    ('year', models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='regions.assessmentyear', verbose_name='year')),
                ],
                options={
                    'verbose_name': 'path step',
                    'verbose_name_plural': 'path steps',
                    'db_table': 'scoring_villagepathstep',
                    'managed': False,
                },
            ),
        ]),
    ]
