"""The demo city's assessment years: 2020 and 2021 published, 2022 open with a deadline.

2019 carries no village data: it exists for the county incomes of 2019, on which 2020's
secretary pay standard rests (SPEC §4.5), and is marked published so nothing is entered in it.
The published years closed and were published on the dates of ``workflow.CALENDARS``, and their
state changes are recorded as ``year_set_state`` records them.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from wuqiang.core.demo.bulk import at
from wuqiang.core.demo.workflow import CALENDARS
from wuqiang.regions.models import (
    AssessmentYear,
    Municipality,
    MunicipalYear,
    YearState,
    YearStateChange,
    default_entry_window,
)

# Years with the county income only / years with village data.
STATISTICS_YEARS = (2019,)
DATA_YEARS = (2020, 2021, 2022)
DEMO_YEARS = {2019: YearState.PUBLISHED, 2020: YearState.PUBLISHED, 2021: YearState.PUBLISHED,
              2022: YearState.OPEN}


def build_years(municipality: Municipality, admin=None) -> list[AssessmentYear]:
    """The demo years with the municipality's state and window for each; the moves of a year
    that ran to the end (open → closed → published) are recorded once, by the demo's admin."""
    years = []
    for year, state in DEMO_YEARS.items():
        assessment_year, _ = AssessmentYear.objects.get_or_create(year=year)
        opens, closes = default_entry_window(year)
        calendar = CALENDARS.get(year)
        published_at = None
        if state == YearState.PUBLISHED:
            published_at = at(calendar.published, 10) if calendar else timezone.make_aware(
                datetime.datetime(year + 1, 6, 30, 10))
        settings, _ = MunicipalYear.objects.update_or_create(
            municipality=municipality, year=assessment_year,
            defaults={"entry_opens": opens, "entry_closes": closes, "state": state, "published_at": published_at},
        )
        if calendar and calendar.closed and not settings.state_changes.exists():
            YearStateChange.objects.bulk_create([
                YearStateChange(municipal_year=settings, at=at(calendar.closed, 9), actor=admin,
                                from_state=YearState.OPEN, to_state=YearState.CLOSED,
                                note="年度填报截止，进入审核收尾。"),
                YearStateChange(municipal_year=settings, at=at(calendar.published, 10), actor=admin,
                                from_state=YearState.CLOSED, to_state=YearState.PUBLISHED,
                                note="年度考核结果经市委组织部审定发布。"),
            ])
        years.append(assessment_year)
    return years
