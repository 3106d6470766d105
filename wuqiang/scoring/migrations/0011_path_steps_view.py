"""Path steps are no longer stored one row per step: ``scoring_villagepathstep`` becomes a
read-only view (``paths.STEPS_VIEW``) that joins the stored scores, vetoes and approved pillars
to the year's ``PathRule`` rows. The rules of every year already scored are written from its
scheme, so the view gives the steps the table held."""

import django.db.models.deletion
from django.db import migrations, models

from wuqiang.scoring.paths import STEPS_VIEW, rule_rows

TABLE = "scoring_villagepathstep"
COLUMNS = "year_id, village_id, kind, code, pillar, value, denominator, target, points, gain, available, basis, reference"


def write_rules(apps, schema_editor):
    """The path rules of every municipality's year that has results, from its scheme (the
    roll-up writes them from now on)."""
    Scheme = apps.get_model("scoring", "Scheme")
    PathRule = apps.get_model("scoring", "PathRule")
    VillageScorecard = apps.get_model("scoring", "VillageScorecard")
    scored = set(VillageScorecard.objects.values_list("year_id", "municipality_id").distinct())
    rules = []
    for scheme in Scheme.objects.prefetch_related("indicators"):
        if (scheme.year_id, scheme.municipality_id) in scored:
            rules += [PathRule(year_id=scheme.year_id, municipality_id=scheme.municipality_id, kind=kind, code=code,
                               pillar=pillar, threshold=threshold, below=below, points=points, full_points=full)
                      for kind, code, pillar, threshold, below, points, full in rule_rows(scheme)]
    PathRule.objects.bulk_create(rules, batch_size=500)


def to_view(apps, schema_editor):
    schema_editor.execute(f"DROP TABLE {TABLE}")
    schema_editor.execute(STEPS_VIEW)


def to_table(apps, schema_editor):
    schema_editor.execute(f"CREATE TABLE scoring_steps_back AS SELECT {COLUMNS} FROM {TABLE}")
    schema_editor.execute(f"DROP VIEW {TABLE}")
    schema_editor.create_model(apps.get_model("scoring", "VillagePathStep"))
    schema_editor.execute(f"INSERT INTO {TABLE} ({COLUMNS}) SELECT {COLUMNS} FROM scoring_steps_back")
    schema_editor.execute("DROP TABLE scoring_steps_back")


class Migration(migrations.Migration):

    dependencies = [
        ('regions', '0002_municipal_years'),
        ('scoring', '0010_compact_indicator_scores'),
    ]

    operations = [
        migrations.CreateModel(
            name='PathRule',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('veto', 'Clear a veto item'), ('indicator', "Earn an indicator's points"), ('pillar', 'Have a pillar approved')], max_length=12, verbose_name='kind')),
                ('code', models.CharField(max_length=24, verbose_name='code')),
                ('pillar', models.CharField(choices=[('organizations', 'Strong organisational function'), ('talent', 'Strong talent team'), ('economy', 'Strong collective economy'), ('governance', 'Strong governance'), ('support', 'Strong support')], max_length=16, verbose_name='pillar')),
                ('threshold', models.FloatField(null=True, verbose_name='value to reach')),
                ('below', models.BooleanField(default=False, verbose_name='only from below the value to reach')),
                ('points', models.DecimalField(decimal_places=2, max_digits=6, verbose_name='points then')),
                ('full_points', models.DecimalField(decimal_places=2, max_digits=6, verbose_name='full points')),
                ('municipality', models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='regions.municipality', verbose_name='municipality')),
                ('year', models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='regions.assessmentyear', verbose_name='year')),
            ],
            options={
                'verbose_name': 'path rule',
                'verbose_name_plural': 'path rules',
                'indexes': [models.Index(fields=['year', 'municipality', 'kind', 'code'], name='path_rule_idx')],
            },
        ),
        migrations.RunPython(write_rules, migrations.RunPython.noop),
        migrations.RunPython(to_view, to_table),
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
