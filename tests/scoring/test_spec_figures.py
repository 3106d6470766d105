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


def test_a_points_preview_of_the_seeded_city_agrees_with_the_whole_roll_up():
    """The what-if preview of a points change, read from the stored results, against the same
    proposal run through the whole roll-up: the same villages change grade, with the same
    totals, and the same counts per county (issue 18)."""
    from wuqiang.scoring.models import SchemePreview
    from wuqiang.scoring.previews import scheme_preview_run
    from wuqiang.scoring.services import scheme_for

    call_command("seed_demo", stdout=io.StringIO())
    scheme = scheme_for(municipality_id=MunicipalScorecard.objects.get(year_id=2021).municipality_id, year=2021)
    rows = {i.code: i for i in scheme.indicators.all()}
    proposal = {
        "indicators": {"O1": {"points": str(rows["O1"].points - 1), "params": rows["O1"].params},
                       "O2": {"points": str(rows["O2"].points + 1), "params": rows["O2"].params},
                       "E1": {"points": str(rows["E1"].points), "params": {
                           **rows["E1"].params, "bands": [[t, p] for t, p in rows["E1"].params["bands"][:-1]]
                           + [[150, rows["E1"].params["bands"][-1][1]]]}}},
        "vetoes": {v.code: v.enabled for v in scheme.vetoes.all()},
        "thresholds": {f: str(getattr(scheme, f)) for f in
                       ("exemplary_total", "exemplary_pillar_min", "pass_total", "basic_total")},
    }
    quick, whole = (scheme_preview_run(SchemePreview.objects.create(
        municipality_id=scheme.municipality_id, year_id=2021, proposal=proposal), full=full) for full in (False, True))
    assert (quick.result["method"], whole.result["method"]) == ("points", "rollup")
    assert quick.result["changed"] > 10

    def changes(p):
        return sorted(p.changes.values_list("village_id", "old_grade", "new_grade", "old_total", "new_total"))

    assert changes(quick) == changes(whole)
    assert {k: v for k, v in quick.result.items() if k != "method"} == {
        k: v for k, v in whole.result.items() if k != "method"}
