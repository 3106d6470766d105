"""What-if scheme previews (issue 18 item 1): the edited scheme run through the real roll-up
and rolled back — hand-computed moves, stored results byte-identical, two previews at once,
municipal staff of the municipality only."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.forms.models import model_to_dict
from django.urls import reverse

from tests import factories
from tests.scoring.conftest import YEAR, make_township_world
from tests.scoring.test_dashboards import _index, _scheme_post
from wuqiang.regions.models import Municipality
from wuqiang.scoring import models as m
from wuqiang.scoring.models import Grade, RunState, SchemePreview
from wuqiang.scoring.previews import scheme_preview_request, scheme_preview_run
from wuqiang.scoring.rollup import rollup_year
from wuqiang.scoring.services import scheme_for

D = Decimal
STORED = (m.VillageScorecard, m.VillageIndicatorScore, m.VillageVeto, m.TownshipScorecard, m.CountyScorecard,
          m.MunicipalScorecard, m.VillagePath, m.VillagePathStep, m.Scheme, m.SchemeIndicator, m.SchemeVeto)


def build(place):
    """A1 100 (五强示范), A2 90 with economy 13 (达标), A3 nothing (未达标), B1 perfect but
    vetoed (未达标); county Y: C1 98 with 60 万元 (E1 10 of 12, 五强示范)."""
    make_township_world(place)
    rollup_year(YEAR)
    return place


@pytest.fixture
def graded(place):
    return build(place)


def snapshot() -> dict:
    """Every stored row of the results and the scheme, every column (ids and times included)."""
    return {model.__name__: sorted(repr(sorted(model_to_dict(row).items())) + str(getattr(row, "computed_at", ""))
                                   for row in model.objects.all())
            for model in STORED}


def thresholds(scheme, **changes) -> dict:
    base = {f: getattr(scheme, f) for f in ("exemplary_total", "exemplary_pillar_min", "pass_total", "basic_total")}
    return {**base, **changes}


def preview(scheme, actor, *, indicators=None, **line_changes) -> SchemePreview:
    return scheme_preview_request(scheme=scheme, actor=actor, indicators=indicators or {},
                                  vetoes={v.code: v.enabled for v in scheme.vetoes.all()},
                                  thresholds=thresholds(scheme, **line_changes))


def changed(p: SchemePreview) -> list[tuple]:
    return [(c.village.code, c.old_grade, c.new_grade, c.old_total, c.new_total)
            for c in p.changes.select_related("village").order_by("village__code")]


@pytest.mark.django_db
def test_raising_one_band_threshold_moves_exactly_the_expected_village(client, graded, people, eager_celery,
                                                                       django_capture_on_commit_callbacks):
    """E1's 50 万元 band raised to 70: only C1 (60 万元) falls from 10 to 7 points — total 95,
    economy 15 < 16, so 五强示范 → 达标. A1 (120 万元) keeps its 12; A2 (30) its 7."""
    scheme = scheme_for(municipality_id=graded.municipality.pk, year=YEAR)
    e1 = _index(scheme, "E1")
    client.force_login(people["municipal"])
    before = snapshot()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("scoring:scheme-whatif", args=["520300", YEAR]),
                               _scheme_post(scheme, **{f"ind-{e1}-band_from_3": "70"}))
    p = SchemePreview.objects.get()
    assert response.status_code == 302 and response.url == reverse("scoring:whatif", args=[p.pk])
    assert p.state == RunState.DONE
    assert changed(p) == [("520303100201", Grade.EXEMPLARY, Grade.PASS, D("98.00"), D("95.00"))]
    assert p.result["before"] == {"exemplary": 2, "pass": 1, "basic": 0, "fail": 2}
    assert p.result["after"] == {"exemplary": 1, "pass": 2, "basic": 0, "fail": 2}
    county_y = next(c for c in p.result["counties"] if c["code"] == "520303")
    assert (county_y["before"]["exemplary"], county_y["after"]["exemplary"], county_y["after"]["pass"]) == (1, 0, 1)
    assert snapshot() == before  # nothing stored changed, not even the scheme
    page = client.get(reverse("scoring:whatif", args=[p.pk]))
    assert b'data-village="520303100201"' in page.content
    assert client.get(reverse("scoring:whatif", args=[p.pk]) + "?format=json").json()["done"] is True


@pytest.mark.django_db
def test_raising_the_exemplary_line_moves_only_the_village_below_it(graded, people):
    scheme = scheme_for(municipality_id=graded.municipality.pk, year=YEAR)
    before = snapshot()
    p = scheme_preview_run(preview(scheme, people["municipal"], exemplary_total=D(99)))
    assert changed(p) == [("520303100201", Grade.EXEMPLARY, Grade.PASS, D("98.00"), D("98.00"))]
    assert snapshot() == before


@pytest.mark.django_db
def test_two_previews_keep_their_own_results(graded, people):
    scheme = scheme_for(municipality_id=graded.municipality.pk, year=YEAR)
    before = snapshot()
    first = preview(scheme, people["municipal"], exemplary_total=D(99))
    second = preview(scheme, people["municipal_2"], exemplary_total=D(95), pass_total=D(95))
    second = scheme_preview_run(second, full=True)
    first = scheme_preview_run(first, full=True)
    assert [c[0] for c in changed(first)] == ["520303100201"]
    assert changed(second) == [("520302001202", Grade.PASS, Grade.BASIC, D("90.00"), D("90.00"))]
    assert snapshot() == before


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks and concurrent sessions: PostgreSQL leg")
def test_two_previews_at_once_in_two_sessions(place):
    build(place)
    staff = factories.MunicipalStaffFactory(municipality=place.municipality)
    scheme = scheme_for(municipality_id=place.municipality.pk, year=YEAR)
    before = snapshot()
    previews = [preview(scheme, staff, exemplary_total=D(99)),
                preview(scheme, staff, exemplary_total=D(95), pass_total=D(95))]
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def run(p):
        try:
            start.wait()
            scheme_preview_run(p, full=True)  # the whole roll-up in each session, at the same moment
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(p,)) for p in previews]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors
    first, second = (SchemePreview.objects.get(pk=p.pk) for p in previews)
    assert [c[0] for c in changed(first)] == ["520303100201"]
    assert [c[0] for c in changed(second)] == ["520302001202"]
    assert snapshot() == before


@pytest.mark.django_db
def test_only_the_municipalitys_staff_preview(client, graded, people):
    scheme = scheme_for(municipality_id=graded.municipality.pk, year=YEAR)
    url = reverse("scoring:scheme-whatif", args=["520300", YEAR])
    for name in ("reviewer_x", "clerk_a", "nobody"):
        client.force_login(people[name])
        assert client.post(url, _scheme_post(scheme)).status_code in (403, 404), name
    other = Municipality.objects.create(code="520400", name="安顺市")
    stranger = factories.MunicipalStaffFactory(municipality=other)
    client.force_login(stranger)
    assert client.post(url, _scheme_post(scheme)).status_code in (403, 404)
    assert not SchemePreview.objects.exists()
    from wuqiang.accounts.permissions import NotAllowed
    with pytest.raises(NotAllowed):
        preview(scheme, people["reviewer_x"])
    p = scheme_preview_run(preview(scheme, people["municipal"], exemplary_total=D(99)))
    for user, status in ((people["municipal_2"], 200), (people["reviewer_x"], 404), (stranger, 404)):
        client.force_login(user)
        assert client.get(reverse("scoring:whatif", args=[p.pk])).status_code == status


@pytest.mark.django_db
def test_the_timing_command_runs_a_preview_and_leaves_nothing(graded):
    from io import StringIO

    from django.core.management import call_command

    before = snapshot()
    out = StringIO()
    call_command("time_preview", year=YEAR, repeat=1, stdout=out)
    # The exemplary line at 91: A1 (100) and C1 (98) stay exemplary, A2 (90) stays up to standard.
    assert "520300 2021: 5 villages, 0 change grade" in out.getvalue()
    call_command("time_preview", year=YEAR, repeat=1, points=True, stdout=out)
    assert "(points)" in out.getvalue()
    call_command("time_preview", year=YEAR, repeat=1, points=True, full=True, stdout=out)
    assert "(rollup)" in out.getvalue()
    assert snapshot() == before
    assert not SchemePreview.objects.exists()


@pytest.mark.django_db
def test_moving_grade_lines_only_reads_and_agrees_with_the_whole_roll_up(graded, people,
                                                                        django_assert_max_num_queries):
    scheme = scheme_for(municipality_id=graded.municipality.pk, year=YEAR)
    quick = preview(scheme, people["municipal"], exemplary_total=D(99), pass_total=D(95))
    with django_assert_max_num_queries(20):
        quick = scheme_preview_run(quick)
    whole = scheme_preview_run(preview(scheme, people["municipal"], exemplary_total=D(99), pass_total=D(95)),
                               full=True)
    assert (quick.result["method"], whole.result["method"]) == ("grades", "rollup")
    assert changed(quick) == changed(whole) == [
        ("520302001202", Grade.PASS, Grade.BASIC, D("90.00"), D("90.00")),
        ("520303100201", Grade.EXEMPLARY, Grade.PASS, D("98.00"), D("98.00"))]
    assert {k: v for k, v in quick.result.items() if k != "method"} == {
        k: v for k, v in whole.result.items() if k != "method"}


def _agree(quick: SchemePreview, whole: SchemePreview) -> None:
    assert whole.result["method"] == "rollup"
    assert changed(quick) == changed(whole)
    assert {k: v for k, v in quick.result.items() if k != "method"} == {
        k: v for k, v in whole.result.items() if k != "method"}


@pytest.mark.django_db
def test_changing_points_reads_the_stored_results_and_agrees_with_the_whole_roll_up(
        graded, people, django_assert_max_num_queries):
    """E1's 50 万元 band raised to 70 (C1 loses 3 points: 五强示范 → 达标), O5 worth a point
    more and O8 one less (A2 has 6 theme-day months of 12), G3's visiting line raised so A2's 75 % earns less:
    the stored values rescored by the rule expression agree with the whole roll-up, village by
    village and county by county, and nothing stored changes."""
    scheme = scheme_for(municipality_id=graded.municipality.pk, year=YEAR)
    rows = {i.code: i for i in scheme.indicators.all()}
    e1 = rows["E1"].params
    bands = [[70 if D(str(t)) == 50 else t, p] for t, p in e1["bands"]]
    indicators = {"E1": {"points": rows["E1"].points, "params": {**e1, "bands": bands}},
                  "O5": {"points": rows["O5"].points + 1, "params": rows["O5"].params},
                  "O8": {"points": rows["O8"].points - 1, "params": rows["O8"].params}}
    g3 = rows["G3"]
    if g3.rule == m.Rule.LINEAR:
        indicators["G3"] = {"points": g3.points, "params": {**g3.params, "low": 0.5, "high": 0.99}}
    else:
        indicators["G3"] = {"points": g3.points - 1, "params": g3.params}
    before = snapshot()
    quick = preview(scheme, people["municipal"], indicators=indicators)
    with django_assert_max_num_queries(20):
        quick = scheme_preview_run(quick)
    assert quick.result["method"] == "points"
    whole = scheme_preview_run(preview(scheme, people["municipal"], indicators=indicators), full=True)
    _agree(quick, whole)
    assert ("520303100201", Grade.EXEMPLARY, Grade.PASS, D("98.00"), D("95.00")) in changed(quick)
    assert snapshot() == before


@pytest.mark.django_db
def test_points_and_lines_changed_together_agree_with_the_whole_roll_up(graded, people):
    scheme = scheme_for(municipality_id=graded.municipality.pk, year=YEAR)
    o5, o8 = scheme.indicators.get(code="O5"), scheme.indicators.get(code="O8")
    indicators = {"O5": {"points": o5.points + 1, "params": o5.params},
                  "O8": {"points": o8.points - 1, "params": o8.params}}
    quick = scheme_preview_run(preview(scheme, people["municipal"], indicators=indicators, pass_total=D("89.6")))
    whole = scheme_preview_run(preview(scheme, people["municipal"], indicators=indicators, pass_total=D("89.6")),
                               full=True)
    assert quick.result["method"] == "points"
    _agree(quick, whole)
    # A2: 90 − 1 (O8) + 0.5 (O5 at 6 of 12 months, now worth 3) = 89.5, under the new 89.6 line.
    assert ("520302001202", Grade.PASS, Grade.BASIC, D("90.00"), D("89.50")) in changed(quick)


@pytest.mark.django_db
def test_switching_a_veto_item_runs_the_whole_roll_up(graded, people):
    """B1's weak-and-lax case is a veto: switched off, B1 (perfect otherwise) leaves 未达标."""
    scheme = scheme_for(municipality_id=graded.municipality.pk, year=YEAR)
    vetoes = {v.code: (v.code != "weak_unrectified" and v.enabled) for v in scheme.vetoes.all()}
    p = scheme_preview_run(scheme_preview_request(scheme=scheme, actor=people["municipal"], indicators={},
                                                  vetoes=vetoes, thresholds=thresholds(scheme)))
    assert p.result["method"] == "rollup"
    assert [(code, old) for code, old, _new, _o, _n in changed(p)] == [("520302100201", Grade.FAIL)]


@pytest.mark.django_db
def test_previews_past_their_retention_are_deleted_with_their_villages(graded, people, settings):
    from datetime import timedelta

    from django.utils import timezone

    from wuqiang.scoring.models import SchemePreviewChange
    from wuqiang.scoring.previews import previews_purge

    settings.PREVIEW_RETENTION_DAYS = 7
    scheme = scheme_for(municipality_id=graded.municipality.pk, year=YEAR)
    old = scheme_preview_run(preview(scheme, people["municipal"], exemplary_total=D(99)))
    recent = scheme_preview_run(preview(scheme, people["municipal"], exemplary_total=D(99)))
    SchemePreview.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=8))
    assert SchemePreviewChange.objects.filter(preview=old).exists()
    assert previews_purge() == 1
    assert list(SchemePreview.objects.values_list("pk", flat=True)) == [recent.pk]
    assert not SchemePreviewChange.objects.filter(preview_id=old.pk).exists()
    assert SchemePreviewChange.objects.filter(preview=recent).exists()
