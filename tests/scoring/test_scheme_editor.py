"""The scheme editor for people (issue 15 item 7): ratios in percent, bands as rows, options
only where they apply, and a preview of a rule on a sample value computed by the roll-up's own
SQL."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from tests import factories
from tests.scoring.conftest import YEAR, get_year
from tests.scoring.test_dashboards import _index, _scheme_post
from wuqiang.scoring.services import scheme_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(place):
    get_year(YEAR)
    return factories.MunicipalStaffFactory(municipality=place.municipality)


@pytest.fixture
def scheme(place, staff):
    return scheme_for(municipality_id=place.municipality.pk, year=YEAR)


def _url(name: str, place) -> str:
    return reverse(name, args=[place.municipality.code, YEAR])


def test_ratios_are_edited_in_percent_and_stored_as_fractions(client, place, staff, scheme):
    client.force_login(staff)
    t3 = _index(scheme, "T3")
    page = client.get(_url("scoring:scheme", place))
    form = page.context["rows"][t3][0]
    assert (form["low"].value(), form["high"].value()) == (Decimal(0), Decimal(50))

    client.post(_url("scoring:scheme", place), _scheme_post(scheme, **{f"ind-{t3}-high": "60"}))

    assert scheme.indicators.get(code="T3").params["high"] == 0.6


def test_bands_are_rows_of_from_and_points(client, place, staff, scheme):
    client.force_login(staff)
    e1 = _index(scheme, "E1")

    client.post(_url("scoring:scheme", place), _scheme_post(scheme, **{
        f"ind-{e1}-band_from_2": "25", f"ind-{e1}-band_points_2": "8"}))

    assert scheme.indicators.get(code="E1").params["bands"] == [[0, 0], [10, 4], [25, 8], [50, 10], [100, 12]]


def test_a_band_with_a_start_and_no_points_is_refused(client, place, staff, scheme):
    client.force_login(staff)
    e1 = _index(scheme, "E1")

    response = client.post(_url("scoring:scheme", place), _scheme_post(scheme, **{f"ind-{e1}-band_from_6": "200"}))

    assert "Give both the value a band starts from and its points, or neither." in response.content.decode()
    assert len(scheme.indicators.get(code="E1").params["bands"]) == 5


def test_nothing_to_count_is_offered_only_on_ratio_rules(client, place, staff, scheme):
    client.force_login(staff)
    rows = {form.instance.code: form for form, *_rest in client.get(_url("scoring:scheme", place)).context["rows"]}

    assert "none_full" in rows["O6"].fields
    assert "none_full" not in rows["O1"].fields and "none_full" not in rows["E1"].fields


@pytest.mark.parametrize(("code", "sample", "changes", "points"), [
    ("E1", "35", {}, "7.00"),            # bands in 万元: 20–50 → 7
    ("O2", "50", {}, "1.50"),            # 50 % of 0→100 % × 3 points
    ("O2", "50", {"high": "50"}, "3.00"),  # the unsaved edit counts: full points at 50 %
    ("O1", "1", {}, "3.00"),
    ("O1", "0", {}, "0.00"),
])
def test_the_preview_gives_the_points_of_the_rule_as_edited(client, place, staff, scheme, code, sample, changes,
                                                           points):
    client.force_login(staff)
    row = _index(scheme, code)
    data = {k: v for k, v in _scheme_post(scheme).items() if k.startswith(f"ind-{row}-")}
    data.update({f"ind-{row}-{k}": v for k, v in changes.items()})

    answer = client.get(_url("scoring:scheme-preview", place),
                        {"prefix": f"ind-{row}", "indicator": code, "sample": sample, **data}).json()

    assert answer["points"] == points
    assert scheme.indicators.get(code="O2").params["high"] == 1  # nothing saved


def test_the_preview_refuses_a_rule_that_is_not_a_number(client, place, staff, scheme):
    client.force_login(staff)
    row = _index(scheme, "O2")
    data = {k: v for k, v in _scheme_post(scheme).items() if k.startswith(f"ind-{row}-")}
    data[f"ind-{row}-high"] = "nan"

    answer = client.get(_url("scoring:scheme-preview", place),
                        {"prefix": f"ind-{row}", "indicator": "O2", "sample": "50", **data}).json()

    assert "error" in answer and "points" not in answer


def test_another_citys_preview_is_not_there(client, place, scheme):
    other = factories.MunicipalStaffFactory(municipality=factories.MunicipalityFactory(code="520400"))
    client.force_login(other)

    response = client.get(_url("scoring:scheme-preview", place), {"prefix": "ind-0", "indicator": "O1"})

    assert response.status_code == 404
