"""Pay rules for village secretaries."""

from __future__ import annotations

PAY_MULTIPLE = 3
PAY_FLOOR = 40_000
DIRECTOR_PAY_FLOOR = 50_000


def secretary_pay_standard(previous_year_income: int | None, *, is_director: bool) -> int:
    """The minimum annual basic pay, in yuan, of a village party secretary for a year.

    Guizhou's "345" rule: three times the county's rural per-capita disposable income of the
    previous year, and never below 40,000 yuan; at least 50,000 yuan where the secretary is
    also the village committee director (一肩挑). Without the county figure only the floors
    apply.
    """
    standard = max(PAY_MULTIPLE * (previous_year_income or 0), PAY_FLOOR)
    if is_director:
        standard = max(standard, DIRECTOR_PAY_FLOOR)
    return standard
