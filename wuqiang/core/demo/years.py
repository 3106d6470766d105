"""Assessment years 2020–2022: 2020 published, 2021 under review, 2022 being entered."""

from __future__ import annotations

import datetime

from django.utils import timezone

from wuqiang.regions.models import AssessmentYear, YearState

DEMO_YEARS = {2020: YearState.PUBLISHED, 2021: YearState.OPEN, 2022: YearState.OPEN}


def build_years() -> list[AssessmentYear]:
    years = []
    for year, state in DEMO_YEARS.items():
        assessment_year, _ = AssessmentYear.objects.update_or_create(
            year=year,
            defaults={
                # Entry runs through the year and closes at the end of the next year's first quarter.
                "entry_opens": datetime.date(year, 1, 1),
                "entry_closes": datetime.date(year + 1, 3, 31),
                "state": state,
                "published_at": timezone.make_aware(datetime.datetime(year + 1, 6, 30, 9))
                if state == YearState.PUBLISHED
                else None,
            },
        )
        years.append(assessment_year)
    return years
