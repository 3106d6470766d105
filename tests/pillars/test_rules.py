"""The secretary pay standard (Guizhou's "345" rule)."""

from __future__ import annotations

import pytest

from support.rules import secretary_pay_standard


@pytest.mark.parametrize(
    ("income", "is_director", "standard"),
    [
        (12_000, False, 40_000),  # 3 × 12,000 = 36,000 is below the floor
        (15_000, False, 45_000),
        (12_000, True, 50_000),  # 一肩挑 floor
        (20_000, True, 60_000),  # three times the income beats the director floor
        (None, False, 40_000),  # no county figure: floors only
        (None, True, 50_000),
    ],
)
def test_secretary_pay_standard(income, is_director, standard):
    assert secretary_pay_standard(income, is_director=is_director) == standard


def test_the_director_flag_is_keyword_only():
    with pytest.raises(TypeError):
        secretary_pay_standard(12_000, True)  # type: ignore[misc]
