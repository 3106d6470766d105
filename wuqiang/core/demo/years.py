"""Assessment years 2020–2022 of the demo city: 2020 published, 2021 under review, 2022 being entered."""

from __future__ import annotations

import datetime

from django.utils import timezone

from wuqiang.regions.models import AssessmentYear, Municipality, MunicipalYear, YearState, default_entry_window

DEMO_YEARS = {2020: YearState.PUBLISHED, 2021: YearState.OPEN, 2022: YearState.OPEN}


def build_years(municipality: Municipality) -> list[AssessmentYear]:
    years = []
    for year, state in DEMO_YEARS.items():
        assessment_year, _ = AssessmentYear.objects.get_or_create(year=year)
        opens, closes = default_entry_window(year)
        MunicipalYear.objects.update_or_create(
            municipality=municipality, year=assessment_year,
            defaults={
                "entry_opens": opens, "entry_closes": closes, "state": state,
                "published_at": timezone.make_aware(datetime.datetime(year + 1, 6, 30, 9))
                if state == YearState.PUBLISHED else None,
            },
        )
        years.append(assessment_year)
    return years
