"""Schemes and roll-up runs belong to a municipality (each city scores with its own scheme).

The scheme's primary key was its year; new tables keyed by id are created, every year's scheme
is copied to each municipality, and the new tables take the old names. Indicator scores gain
the basis of their value (e.g. which pay standard S1 compared with)."""

from decimal import Decimal

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

PILLARS = [('organizations', 'Strong organisational function'), ('talent', 'Strong talent team'),
           ('economy', 'Strong collective economy'), ('governance', 'Strong governance'),
           ('support', 'Strong support')]
RULES = [('yes_no', 'Yes = full points'), ('linear', 'Linear between two values'), ('bands', 'Points by bands')]
VETOES = [('weak_unrectified', 'Listed as weak and lax, not rectified'),
          ('income_below_10', 'Operating income below 100,000 yuan'), ('major_incident', 'Major incident in the year')]
THRESHOLDS = ("pillar_total", "exemplary_total", "exemplary_pillar_min", "pass_total", "basic_total")


def copy_schemes(apps, schema_editor):
    Municipality = apps.get_model("regions", "Municipality")
    Scheme, NewScheme = apps.get_model("scoring", "Scheme"), apps.get_model("scoring", "NewScheme")
    NewIndicator, NewVeto = apps.get_model("scoring", "NewSchemeIndicator"), apps.get_model("scoring", "NewSchemeVeto")
    for municipality_id in Municipality.objects.values_list("pk", flat=True):
        by_year = {}
        for old in Scheme.objects.order_by("year_id"):
            new = NewScheme.objects.create(
                municipality_id=municipality_id, year_id=old.year_id, updated_by_id=old.updated_by_id,
                copied_from=by_year.get(old.copied_from_id), **{f: getattr(old, f) for f in THRESHOLDS})
            by_year[old.year_id] = new
            NewIndicator.objects.bulk_create([
                NewIndicator(scheme=new, code=i.code, pillar=i.pillar, name=i.name, rule=i.rule, params=i.params,
                             points=i.points, position=i.position)
                for i in apps.get_model("scoring", "SchemeIndicator").objects.filter(scheme_id=old.year_id)])
            NewVeto.objects.bulk_create([
                NewVeto(scheme=new, code=v.code, enabled=v.enabled)
                for v in apps.get_model("scoring", "SchemeVeto").objects.filter(scheme_id=old.year_id)])


def runs_to_municipalities(apps, schema_editor):
    RollupRun, County = apps.get_model("scoring", "RollupRun"), apps.get_model("regions", "County")
    Municipality = apps.get_model("regions", "Municipality")
    only = list(Municipality.objects.values_list("pk", flat=True)[:2])
    for run in RollupRun.objects.all():
        if run.county_id:
            run.municipality_id = County.objects.get(pk=run.county_id).municipality_id
        elif len(only) == 1:
            run.municipality_id = only[0]
        else:  # a whole-year run of a multi-city deployment: it belonged to nobody in particular
            run.delete()
            continue
        run.save(update_fields=["municipality"])


class Migration(migrations.Migration):

    dependencies = [
        ('regions', '0002_municipal_years'),
        ('scoring', '0002_default_schemes'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='NewScheme',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('pillar_total', models.DecimalField(decimal_places=2, default=Decimal('20'), editable=False, max_digits=6, verbose_name='points per pillar')),
                ('exemplary_total', models.DecimalField(decimal_places=2, default=Decimal('90'), max_digits=6, verbose_name='exemplary: total at least')),
                ('exemplary_pillar_min', models.DecimalField(decimal_places=2, default=Decimal('16'), max_digits=6, verbose_name='exemplary: every pillar at least')),
                ('pass_total', models.DecimalField(decimal_places=2, default=Decimal('75'), max_digits=6, verbose_name='up to standard: total at least')),
                ('basic_total', models.DecimalField(decimal_places=2, default=Decimal('60'), max_digits=6, verbose_name='basically up to standard: total at least')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                ('copied_from', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='scoring.newscheme', verbose_name='copied from')),
                ('updated_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='updated by')),
                ('municipality', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='schemes', to='regions.municipality', verbose_name='municipality')),
                ('year', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='schemes', to='regions.assessmentyear', verbose_name='year')),
            ],
        ),
        migrations.CreateModel(
            name='NewSchemeIndicator',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('code', models.CharField(max_length=8, verbose_name='code')),
                ('pillar', models.CharField(choices=PILLARS, max_length=16, verbose_name='pillar')),
                ('name', models.CharField(max_length=100, verbose_name='name')),
                ('rule', models.CharField(choices=RULES, max_length=8, verbose_name='rule')),
                ('params', models.JSONField(blank=True, default=dict, verbose_name='rule parameters')),
                ('points', models.DecimalField(decimal_places=2, max_digits=6, verbose_name='points')),
                ('position', models.PositiveSmallIntegerField(default=0, verbose_name='position')),
                ('scheme', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='indicators', to='scoring.newscheme', verbose_name='scheme')),
            ],
        ),
        migrations.CreateModel(
            name='NewSchemeVeto',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('code', models.CharField(choices=VETOES, max_length=24, verbose_name='veto')),
                ('enabled', models.BooleanField(default=True, verbose_name='applies')),
                ('scheme', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='vetoes', to='scoring.newscheme', verbose_name='scheme')),
            ],
        ),
        migrations.RunPython(copy_schemes, migrations.RunPython.noop),
        migrations.DeleteModel(name='SchemeIndicator'),
        migrations.DeleteModel(name='SchemeVeto'),
        migrations.DeleteModel(name='Scheme'),
        migrations.RenameModel(old_name='NewScheme', new_name='Scheme'),
        migrations.RenameModel(old_name='NewSchemeIndicator', new_name='SchemeIndicator'),
        migrations.RenameModel(old_name='NewSchemeVeto', new_name='SchemeVeto'),
        migrations.AlterModelOptions(
            name='scheme',
            options={'ordering': ['municipality', '-year'], 'verbose_name': 'scoring scheme', 'verbose_name_plural': 'scoring schemes'},
        ),
        migrations.AlterModelOptions(
            name='schemeindicator',
            options={'ordering': ['scheme', 'position', 'code'], 'verbose_name': 'scheme indicator', 'verbose_name_plural': 'scheme indicators'},
        ),
        migrations.AlterModelOptions(
            name='schemeveto',
            options={'ordering': ['scheme', 'code'], 'verbose_name': 'scheme veto', 'verbose_name_plural': 'scheme vetoes'},
        ),
        migrations.AddConstraint(
            model_name='scheme',
            constraint=models.UniqueConstraint(fields=('municipality', 'year'), name='scheme_unique_per_municipality'),
        ),
        migrations.AddConstraint(
            model_name='schemeindicator',
            constraint=models.UniqueConstraint(fields=('scheme', 'code'), name='scheme_indicator_unique_code'),
        ),
        migrations.AddConstraint(
            model_name='schemeveto',
            constraint=models.UniqueConstraint(fields=('scheme', 'code'), name='scheme_veto_unique_code'),
        ),
        # Roll-up runs: each belongs to the municipality it computed.
        migrations.RemoveIndex(model_name='rolluprun', name='rollup_run_latest_idx'),
        migrations.AddField(
            model_name='rolluprun',
            name='municipality',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='regions.municipality', verbose_name='municipality'),
        ),
        migrations.RunPython(runs_to_municipalities, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='rolluprun',
            name='municipality',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='regions.municipality', verbose_name='municipality'),
        ),
        migrations.AddIndex(
            model_name='rolluprun',
            index=models.Index(fields=['municipality', 'year', 'state', 'finished_at'], name='rollup_run_latest_idx'),
        ),
        migrations.AddField(
            model_name='villageindicatorscore',
            name='basis',
            field=models.CharField(blank=True, default='', max_length=32, verbose_name='basis'),
        ),
        migrations.AddField(
            model_name='villageindicatorscore',
            name='reference',
            field=models.DecimalField(decimal_places=2, max_digits=14, null=True, verbose_name='reference value'),
        ),
    ]
