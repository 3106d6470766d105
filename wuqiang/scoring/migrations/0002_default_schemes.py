"""Give every existing assessment year SPEC §5's default scheme (later years get theirs from
``scoring.services.scheme_for_year`` when the year is created)."""

from decimal import Decimal

from django.db import migrations


def create_default_schemes(apps, schema_editor):
    from wuqiang.scoring.defaults import DEFAULT_INDICATORS, DEFAULT_THRESHOLDS, DEFAULT_VETOES

    AssessmentYear = apps.get_model("regions", "AssessmentYear")
    Scheme = apps.get_model("scoring", "Scheme")
    SchemeIndicator = apps.get_model("scoring", "SchemeIndicator")
    SchemeVeto = apps.get_model("scoring", "SchemeVeto")
    previous = None
    for year in AssessmentYear.objects.order_by("year"):
        scheme = Scheme.objects.filter(year_id=year.year).first()
        if scheme is None:
            scheme = Scheme.objects.create(year_id=year.year, copied_from=previous, **DEFAULT_THRESHOLDS)
            SchemeIndicator.objects.bulk_create([
                SchemeIndicator(scheme=scheme, code=code, pillar=str(pillar), name=name, rule=str(rule),
                                params=params, points=Decimal(str(points)), position=i)
                for i, (code, pillar, name, rule, params, points) in enumerate(DEFAULT_INDICATORS)
            ])
            SchemeVeto.objects.bulk_create([SchemeVeto(scheme=scheme, code=str(c), enabled=True)
                                            for c in DEFAULT_VETOES])
        previous = scheme


class Migration(migrations.Migration):
    dependencies = [("scoring", "0001_initial")]

    operations = [migrations.RunPython(create_default_schemes, migrations.RunPython.noop)]
