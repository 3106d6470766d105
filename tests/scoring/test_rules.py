"""Each rule type turns a value into points as SPEC §5 says, in the SQL the roll-up runs."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection

from wuqiang.scoring.models import Rule, SchemeIndicator
from wuqiang.scoring.rollup import points_sql

pytestmark = pytest.mark.django_db

E1_BANDS = {"bands": [[0, 0], [10, 4], [20, 7], [50, 10], [100, 12]]}


def points(rule: str, params: dict, full: float, value: float | None) -> Decimal:
    indicator = SchemeIndicator(code="X1", rule=rule, params=params, points=Decimal(str(full)))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {points_sql(indicator, 'q.value')} FROM (SELECT CAST(%s AS DOUBLE PRECISION) "
                       f"AS value) q", [value])
        return Decimal(str(cursor.fetchone()[0])).quantize(Decimal("0.01"))


@pytest.mark.parametrize(("value", "expected"), [(1, "3.00"), (0, "0.00"), (None, "0.00")])
def test_yes_no_gives_full_points_for_yes_only(value, expected):
    assert points(Rule.YES_NO, {}, 3, value) == Decimal(expected)


def test_yes_no_with_none_full_gives_full_points_for_none():
    assert points(Rule.YES_NO, {"none_full": True}, 3, None) == Decimal("3.00")


@pytest.mark.parametrize(("value", "expected"), [
    (0, "0.00"), (0.5, "1.50"), (1, "3.00"), (1.2, "3.00"), (-0.1, "0.00"), (1 / 3, "1.00"), (0.9999, "3.00"),
])
def test_linear_is_proportional_and_capped(value, expected):
    assert points(Rule.LINEAR, {"low": 0, "high": 1}, 3, value) == Decimal(expected)


def test_linear_rounds_to_hundredths():
    assert points(Rule.LINEAR, {"low": 0, "high": 1}, 4, 1 / 3) == Decimal("1.33")


@pytest.mark.parametrize(("value", "expected"), [(0.25, "1.50"), (0.5, "3.00"), (0.75, "3.00"), (0, "0.00")])
def test_linear_to_fifty_percent_is_capped_at_half(value, expected):
    # T3: 两委 with 大专 or above, linear 0 → 50 %, capped.
    assert points(Rule.LINEAR, {"low": 0, "high": 0.5}, 3, value) == Decimal(expected)


def test_linear_none_is_zero_unless_none_counts_full():
    assert points(Rule.LINEAR, {"low": 0, "high": 1}, 3, None) == Decimal("0.00")
    assert points(Rule.LINEAR, {"low": 0, "high": 1, "none_full": True}, 3, None) == Decimal("3.00")


def test_linear_growth_rule_reaches_full_at_ten_percent():
    # E5: linear 0 → 10 %, capped; a fall scores 0.
    rule = {"low": 0, "high": 0.1}
    assert points(Rule.LINEAR, rule, 2, 0.05) == Decimal("1.00")
    assert points(Rule.LINEAR, rule, 2, 0.25) == Decimal("2.00")
    assert points(Rule.LINEAR, rule, 2, -0.3) == Decimal("0.00")


@pytest.mark.parametrize(("income", "expected"), [
    (0, 0), (9.99, 0), (10, 4), (19.99, 4), (20, 7), (49.99, 7), (50, 10), (99.99, 10), (100, 12), (800, 12),
])
def test_income_bands_take_the_highest_threshold_reached(income, expected):
    assert points(Rule.BANDS, E1_BANDS, 12, income) == Decimal(expected)


def test_bands_with_no_value_score_zero():
    assert points(Rule.BANDS, E1_BANDS, 12, None) == Decimal(0)


@pytest.mark.parametrize(("members", "expected"), [(0, "0"), (1, "1"), (2, "2"), (5, "2")])
def test_work_team_bands(members, expected):
    assert points(Rule.BANDS, {"bands": [[0, 0], [1, 1], [2, 2]]}, 2, members) == Decimal(expected)


@pytest.mark.parametrize(("reserve", "expected"), [(0, "0"), (1, "1.5"), (2, "3"), (14, "3")])
def test_reserve_pool_bands(reserve, expected):
    assert points(Rule.BANDS, {"bands": [[0, 0], [1, 1.5], [2, 3]]}, 3, reserve) == Decimal(expected)
