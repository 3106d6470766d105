"""Every municipality has settings for every assessment year: created with either of the two."""

from __future__ import annotations

from django.db.models.signals import post_save
from django.dispatch import receiver

from wuqiang.regions.models import AssessmentYear, Municipality, MunicipalYear, default_entry_window


def _ensure(pairs: list[tuple[int, int]]) -> None:
    rows = []
    for municipality_id, year in pairs:
        opens, closes = default_entry_window(year)
        rows.append(MunicipalYear(municipality_id=municipality_id, year_id=year, entry_opens=opens,
                                  entry_closes=closes))
    MunicipalYear.objects.bulk_create(rows, ignore_conflicts=True)


@receiver(post_save, sender=AssessmentYear, dispatch_uid="regions-year-settings-for-new-year")
def _settings_for_new_year(sender, instance: AssessmentYear, created: bool, raw: bool = False, **kwargs) -> None:
    if created and not raw:
        _ensure([(pk, instance.year) for pk in Municipality.objects.values_list("pk", flat=True)])


@receiver(post_save, sender=Municipality, dispatch_uid="regions-year-settings-for-new-municipality")
def _settings_for_new_municipality(sender, instance: Municipality, created: bool, raw: bool = False,
                                   **kwargs) -> None:
    if created and not raw:
        _ensure([(instance.pk, year) for year in AssessmentYear.objects.values_list("year", flat=True)])
