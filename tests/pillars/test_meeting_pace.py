"""The work board's meeting pace: 三会一课 and 主题党日 against the months elapsed (SPEC §6)."""

import datetime

import pytest

from organizations.choices import REQUIRED_MEETINGS, MeetingKind
from organizations.models import Meeting
from organizations.selectors import meeting_pace, months_elapsed
from tests.pillars.conftest import get_year
from wuqiang.entries.models import Pillar
from wuqiang.regions.selectors import year_settings


def _hold(entry, kind, months):
    Meeting.objects.bulk_create(Meeting(entry=entry, kind=kind, date=datetime.date(2021, m, 10)) for m in months)


def _on_pace(entry, months):
    """Everything due by the end of ``months``: each kind's share and a theme day a month."""
    for kind, required in REQUIRED_MEETINGS.items():
        due = required * len(months) // 12
        _hold(entry, kind, [months[i % len(months)] for i in range(due)])
    _hold(entry, MeetingKind.THEME_DAY, months)


@pytest.mark.parametrize(
    ("year", "today", "months"),
    [(2020, datetime.date(2021, 5, 3), 12), (2021, datetime.date(2021, 5, 3), 4),
     (2021, datetime.date(2021, 1, 20), 0), (2022, datetime.date(2021, 5, 3), 0)],
)
def test_months_elapsed_counts_completed_months_of_the_year(year, today, months):
    assert months_elapsed(year, today) == months


def test_a_village_on_pace_is_ok_one_short_is_amber_and_one_far_behind_is_red(place, make_village, make_entry):
    ok, short, behind, empty = place.village, make_village(201), make_village(202), make_village(203)
    june = datetime.date(2021, 7, 1)  # six months completed
    _on_pace(make_entry(Pillar.ORGANIZATIONS, village=ok), list(range(1, 7)))
    entry = make_entry(Pillar.ORGANIZATIONS, village=short)
    _on_pace(entry, list(range(1, 6)))  # May's share missing: 5/6 of the pace
    _hold(entry, MeetingKind.THEME_DAY, [6])
    _on_pace(make_entry(Pillar.ORGANIZATIONS, village=behind), [1, 2, 3])  # half of the pace

    pace = meeting_pace(township=place.township, year=get_year(), today=june,
                        village_ids=[ok.pk, short.pk, behind.pk, empty.pk])

    assert {v: pace[v.pk].status for v in (ok, short, behind, empty)} == {
        ok: "ok", short: "amber", behind: "red", empty: "red"}
    assert (pace[ok.pk].meetings_held, pace[ok.pk].meetings_due, pace[ok.pk].theme_months) == (16, 16, 6)


def test_extra_meetings_of_one_kind_do_not_make_up_for_another(place, make_entry):
    entry = make_entry(Pillar.ORGANIZATIONS)
    _hold(entry, MeetingKind.COMMITTEE, list(range(1, 13)) * 2)  # 24 committee meetings, nothing else
    _hold(entry, MeetingKind.THEME_DAY, list(range(1, 13)))

    pace = meeting_pace(township=place.township, year=get_year(), today=datetime.date(2022, 2, 1),
                        village_ids=[place.village.pk])

    assert pace[place.village.pk].meetings_held == 12
    assert pace[place.village.pk].status == "red"


def test_it_reads_the_whole_township_in_one_query(place, make_village, make_entry, django_assert_num_queries):
    villages = [place.village, *(make_village(201 + i) for i in range(5))]
    for village in villages:
        _on_pace(make_entry(Pillar.ORGANIZATIONS, village=village), [1, 2])
    year = get_year()
    settings = year_settings(year=year.year, county_id=place.county.pk)

    with django_assert_num_queries(1):
        pace = meeting_pace(township=place.township, year=year, settings=settings, today=datetime.date(2021, 3, 1),
                            village_ids=[v.pk for v in villages])

    assert {p.status for p in pace.values()} == {"ok"}


def test_the_work_board_shows_a_village_behind_pace(client, place, make_entry):
    from tests import factories

    get_year(2020)
    make_entry(Pillar.ORGANIZATIONS, year=2020)  # a past year: all twelve months are due
    clerk = factories.ClerkFactory(township=place.township)
    client.force_login(clerk)

    page = client.get(f"/townships/{place.township.code}/board/?year=2020").content.decode()

    assert 'data-alert="red"' in page


def test_a_closed_year_shows_no_pace_warnings(place, make_entry):
    from tests.factories import set_year_state
    from wuqiang.regions.models import YearState

    year = get_year()
    set_year_state(year, YearState.CLOSED)
    make_entry(Pillar.ORGANIZATIONS)

    assert meeting_pace(township=place.township, year=year, today=datetime.date(2022, 2, 1),
                        village_ids=[place.village.pk]) == {}
