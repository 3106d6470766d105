"""Schemes are data: the default is SPEC §5's table, years copy their predecessor, edits are
validated, and a published year's scheme is frozen."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.factories import MunicipalStaffFactory
from tests.scoring.conftest import YEAR, get_year
from wuqiang.accounts.permissions import NotAllowed
from wuqiang.entries.models import Pillar
from wuqiang.regions.models import YearState
from wuqiang.scoring.defaults import DEFAULT_INDICATORS
from wuqiang.scoring.indicators import INDICATORS
from wuqiang.scoring.models import Rule
from wuqiang.scoring.services import scheme_for, scheme_update, scheme_validate

pytestmark = pytest.mark.django_db

THRESHOLDS = {"exemplary_total": 90, "exemplary_pillar_min": 16, "pass_total": 75, "basic_total": 60}


def default_rows() -> list[dict]:
    return [{"code": c, "pillar": p, "rule": r, "params": params, "points": pts}
            for c, p, _n, r, params, pts in DEFAULT_INDICATORS]


def test_the_default_scheme_is_valid_and_every_indicator_has_a_function():
    assert scheme_validate(indicators=default_rows(), thresholds=THRESHOLDS) == []
    assert {row["code"] for row in default_rows()} == set(INDICATORS)
    assert len(DEFAULT_INDICATORS) == 34


def test_a_new_year_gets_the_default_scheme(place):
    get_year(YEAR)
    scheme = scheme_for(municipality_id=place.municipality.pk, year=YEAR)

    assert scheme.copied_from is None
    assert scheme.indicators.count() == 34
    assert sum(i.points for i in scheme.indicators.all()) == Decimal(100)
    e1 = scheme.indicators.get(code="E1")
    assert (e1.rule, e1.params["bands"][-1], e1.points) == (Rule.BANDS, [100, 12], Decimal(12))
    assert sorted(scheme.vetoes.values_list("code", flat=True)) == [
        "income_below_10", "major_incident", "weak_unrectified"]
    assert (scheme.exemplary_total, scheme.exemplary_pillar_min, scheme.pass_total, scheme.basic_total) == (
        90, 16, 75, 60)


def test_pillar_points_must_add_up_to_twenty():
    rows = default_rows()
    rows[0]["points"] = 4

    assert scheme_validate(indicators=rows, thresholds=THRESHOLDS) == [
        "Strong organisational function: the points add up to 21, not 20."]


def test_a_linear_rule_needs_low_below_high():
    rows = default_rows()
    o2 = next(r for r in rows if r["code"] == "O2")
    o2["params"] = {"low": 1, "high": 1}

    assert scheme_validate(indicators=rows, thresholds=THRESHOLDS) == [
        "O2: the lower bound of a linear rule must be below the upper bound."]


def test_no_band_may_exceed_the_indicator_points():
    rows = default_rows()
    next(r for r in rows if r["code"] == "T2")["params"] = {"bands": [[0, 0], [1, 3]]}

    assert scheme_validate(indicators=rows, thresholds=THRESHOLDS) == [
        "T2: a band gives 3 points, more than the indicator's 2."]


def test_grade_lines_must_fall_in_order():
    errors = scheme_validate(indicators=default_rows(), thresholds={**THRESHOLDS, "pass_total": 95})

    assert errors == ["The grade lines must fall from exemplary to up to standard to basically up to standard."]


def test_the_service_saves_a_consistent_change(place):
    get_year(YEAR)
    scheme = scheme_for(municipality_id=place.municipality.pk, year=YEAR)

    scheme_update(scheme=scheme, actor=MunicipalStaffFactory(municipality=place.municipality),
                  thresholds={**THRESHOLDS, "exemplary_total": 92},
                  indicators={"O1": {"points": 2}, "O8": {"points": 2}},
                  vetoes={"major_incident": False})

    assert scheme.indicators.get(code="O1").points == 2
    assert scheme.exemplary_total == 92
    assert not scheme.vetoes.get(code="major_incident").enabled


def test_the_service_refuses_a_published_years_scheme(place):
    get_year(YEAR, state=YearState.PUBLISHED)
    scheme = scheme_for(municipality_id=place.municipality.pk, year=YEAR)

    with pytest.raises(NotAllowed, match="frozen"):
        scheme_update(scheme=scheme, actor=MunicipalStaffFactory(municipality=place.municipality),
                      thresholds=THRESHOLDS, indicators={}, vetoes={})


def test_pillars_are_the_five():
    assert {p for _c, p, *_ in DEFAULT_INDICATORS} == set(Pillar.values)
