"""SPEC §7: after seed_demo and the roll-up, the 2021 municipal scorecard shows the seed's figures."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.management import call_command

from wuqiang.scoring.models import CountyScorecard, MunicipalScorecard, Scheme, TownshipScorecard
from wuqiang.scoring.rollup import rollup_year

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def test_the_2021_municipal_scorecard_shows_every_spec_figure():
    call_command("seed_demo", stdout=io.StringIO())
    # seed_demo's years got their schemes when they were created.
    assert set(Scheme.objects.values_list("year_id", flat=True)) >= {2020, 2021, 2022}
    # seed_demo scored 2021 when it built it; recompute it from the records here (2021 is
    # published, so only with force), counting approved data only.
    rollup_year(2021, force=True)

    city = MunicipalScorecard.objects.get(year_id=2021, municipality__code="520300")
    assert city.villages == 1728
    assert TownshipScorecard.objects.filter(year_id=2021).count() == 200
    assert CountyScorecard.objects.filter(year_id=2021).count() == 14
    assert (city.combined, city.combined_share) == (1706, Decimal("98.73"))
    assert city.competition == 1728
    assert city.sent_down_in_post == 2966
    assert (city.leader_trainees, city.reserve_trainees) == (563, 13_749)
    assert city.trainees_now_cadre == 5_116
    assert (city.instructors_in_post, city.tech_commissioners_in_post) == (269, 334)
    assert city.demonstration_bases == 20
    assert (city.income_above_50, city.income_below_10) == (265, 0)
    assert city.operating_income == Decimal("68000.00")
    assert [round(city.mean_pay_combined), round(city.mean_pay_principal), round(city.mean_pay_deputy)] == [
        4804, 4262, 3695]
    assert sum(n for _, _, n in city.grade_counts()) == 1728
