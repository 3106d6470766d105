"""Dashboards read the stored scorecards, scoped like the browse pages, in bounded queries;
the roll-up button, the scheme page and demonstration naming are for municipal staff."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse

from tests import factories
from tests.scoring.conftest import YEAR, get_year, make_village_data
from wuqiang.regions.models import Village, YearState
from wuqiang.regions.selectors import year_settings
from wuqiang.scoring import tasks
from wuqiang.scoring.models import (
    DemonstrationNomination,
    NominationStatus,
    RollupRun,
    RunState,
    Scheme,
    SchemeVeto,
)
from wuqiang.scoring.rollup import rollup_year
from wuqiang.scoring.services import nominations_propose, scheme_for

pytestmark = pytest.mark.django_db


def url(level: str, code: str) -> str:
    return reverse(f"scoring:{level}", args=[code]) + f"?year={YEAR}"


def get(client, user, address):
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client.get(address)


# Who sees which dashboard: (persona, level, code) → status.
MATRIX = [
    ("municipal", "municipality", "520300", 200),
    ("admin", "municipality", "520300", 200),
    ("reviewer_x", "municipality", "520300", 404),
    ("clerk_a", "municipality", "520300", 404),
    ("reviewer_x", "county", "520302", 200),
    ("reviewer_y", "county", "520302", 404),
    ("clerk_a", "county", "520302", 404),
    ("municipal", "county", "520303", 200),
    ("reviewer_x", "township", "520302001", 200),
    ("reviewer_y", "township", "520302001", 404),
    ("clerk_a", "township", "520302001", 200),
    ("clerk_a", "township", "520302100", 404),
    ("clerk_b", "township", "520302001", 404),
    ("clerk_a", "village", "520302001201", 200),
    ("clerk_b", "village", "520302001201", 404),
    ("reviewer_y", "village", "520302001201", 404),
    ("nobody", "village", "520302001201", 404),
]


@pytest.mark.parametrize(("persona", "level", "code", "status"), MATRIX)
def test_dashboards_are_scoped_like_the_browse_pages(client, scored, people, persona, level, code, status):
    assert get(client, people[persona], url(level, code)).status_code == status


def test_the_municipal_dashboard_shows_figures_league_and_failing_villages(client, scored, people):
    response = get(client, people["municipal"], url("municipality", "520300"))

    page = response.content.decode()
    assert response.context["card"].villages == 5
    league = [row["unit"].code for row in response.context["league"]]
    assert league == ["520303", "520302"]  # county Y's 100 beats X's mean
    assert [c.village.code for c in response.context["failing"]] == ["520302100201", "520302001203"]  # veto first
    assert response.context["failing"][0].veto_codes == ["weak_unrectified"]
    assert 'data-chart="grades"' in page and 'id="chart-data"' in page
    charts = json.loads(page.split('id="chart-data" type="application/json">')[1].split("</script>")[0])
    assert sum(charts["grades"]["values"]) == 5
    assert reverse("scoring:county", args=["520302"]) in page


def test_a_clerk_sees_only_own_villages_in_the_township_league(client, scored, people):
    response = get(client, people["clerk_a"], url("township", "520302001"))

    assert [row["unit"].code for row in response.context["league"]] == ["520302001201", "520302001202",
                                                                         "520302001203"]
    assert response.context["league"][0]["card"].rank == 1


def test_the_village_dashboard_lists_every_indicator_with_rule_and_points(client, scored, people):
    response = get(client, people["clerk_a"], url("village", "520302001202"))

    groups = response.context["groups"]
    lines = {line.code: line for group in groups for line in group["lines"]}
    assert len(lines) == 34
    assert (lines["E1"].points, lines["E1"].maximum, lines["E1"].value) == (Decimal(7), Decimal(12), "30.00")
    assert "from 20: 7" in lines["E1"].rule
    assert lines["O6"].rule.endswith("none = full points")
    assert response.context["card"].total == Decimal(93)  # E1 −5, E5 −2 (income fell from 100)


def test_a_dashboard_before_any_roll_up_says_so(client, place, people):
    get_year(YEAR)
    response = get(client, people["municipal"], url("municipality", "520300"))

    assert response.status_code == 200
    assert response.context["card"] is None
    assert b'data-testid="league"' in response.content


@pytest.mark.parametrize(("level", "code"), [
    ("municipality", "520300"), ("county", "520302"), ("township", "520302001"), ("village", "520302001201"),
])
def test_dashboard_queries_do_not_grow_with_villages(client, scored, people, level, code,
                                                     django_assert_max_num_queries):
    client.force_login(people["municipal"])
    with django_assert_max_num_queries(14):
        client.get(url(level, code))
    for i in range(12):  # more villages in every township: the page costs the same
        make_village_data(Village.objects.create(code=f"520302001{300 + i}", name=f"新{i}村",
                                                 township=scored.township_a))
    rollup_year(YEAR)
    with django_assert_max_num_queries(14):
        response = client.get(url(level, code))
    assert response.status_code == 200


def test_municipal_staff_start_a_roll_up_and_follow_its_progress(client, scored, people, eager_celery,
                                                                  django_capture_on_commit_callbacks):
    client.force_login(people["municipal"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("scoring:rollup-start"), {"year": YEAR, "municipality": "520300"})

    run = RollupRun.objects.latest("pk")
    assert response.status_code == 302 and response.url == reverse("scoring:rollup-run", args=[run.pk])
    assert run.triggered_by == people["municipal"]
    assert run.state == RunState.DONE  # run in-process (eager_celery)
    status = client.get(reverse("scoring:rollup-run", args=[run.pk]) + "?format=json").json()
    assert (status["state"], status["progress"], status["done"]) == ("done", 100, True)
    dashboard = client.get(url("municipality", "520300"))
    assert dashboard.context["last_run"] == run
    assert status["message"] == f"5 villages, {run.statements} statements, {run.seconds:.2f} s"
    client.cookies.pop(settings.LANGUAGE_COOKIE_NAME)  # the portal's default: Chinese
    chinese = client.get(reverse("scoring:rollup-run", args=[run.pk]) + "?format=json").json()["message"]
    assert chinese.startswith("5 个村") and "条 SQL 语句" in chinese


@pytest.mark.parametrize("persona", ["reviewer_x", "clerk_a"])
def test_others_cannot_start_a_roll_up(client, scored, people, persona):
    client.force_login(people[persona])

    # The municipality lies outside their scope: as for any unit they cannot see, 404.
    assert client.post(reverse("scoring:rollup-start"), {"year": YEAR, "municipality": "520300"}).status_code == 404
    assert not RollupRun.objects.exists()


def _scheme_post(scheme: Scheme, **changes) -> dict:
    """The scheme page's form as a browser posts it unchanged: ratios in percent, bands as rows."""
    from wuqiang.scoring.forms import SchemeIndicatorFormSet, SchemeSettingsForm

    data = {"ind-TOTAL_FORMS": scheme.indicators.count(), "ind-INITIAL_FORMS": scheme.indicators.count(),
            "ind-MIN_NUM_FORMS": 0, "ind-MAX_NUM_FORMS": 1000}
    settings_form = SchemeSettingsForm(scheme=scheme)
    for name, field in settings_form.fields.items():
        if isinstance(field.initial, bool):
            if field.initial:
                data[name] = "on"
        else:
            data[name] = field.initial
    for form in SchemeIndicatorFormSet(queryset=scheme.indicators.all(), prefix="ind").forms:
        data[f"{form.prefix}-id"] = form.instance.pk
        for name, field in form.fields.items():
            value = form.initial.get(name, field.initial)
            if name == "none_full":
                if value:
                    data[f"{form.prefix}-{name}"] = "on"
            elif name != "id" and value is not None:
                data[f"{form.prefix}-{name}"] = value
    data.update(changes)
    return data


def _index(scheme: Scheme, code: str) -> int:
    return [i.code for i in scheme.indicators.all()].index(code)


def test_municipal_staff_edit_the_scheme_and_scores_follow(client, scored, people, eager_celery,
                                                           django_capture_on_commit_callbacks):
    scheme = scheme_for(municipality_id=scored.municipality.pk, year=YEAR)
    o1, o2 = _index(scheme, "O1"), _index(scheme, "O2")
    client.force_login(people["municipal"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("scoring:scheme", args=["520300", YEAR]), _scheme_post(
            scheme, **{f"ind-{o1}-points": "2", f"ind-{o2}-points": "4", "veto_weak_unrectified": ""}))

    assert response.status_code == 302
    assert scheme.indicators.get(code="O1").points == 2
    assert not SchemeVeto.objects.get(scheme=scheme, code="weak_unrectified").enabled
    village = client.get(url("village", "520302100201"))  # B1: no longer vetoed
    assert village.context["card"].grade == "exemplary"


def test_a_scheme_whose_pillar_does_not_add_up_is_refused_with_a_clear_message(client, scored, people):
    scheme = scheme_for(municipality_id=scored.municipality.pk, year=YEAR)
    client.force_login(people["municipal"])

    response = client.post(reverse("scoring:scheme", args=["520300", YEAR]),
                           _scheme_post(scheme, **{f"ind-{_index(scheme, 'O1')}-points": "5"}), follow=True)

    assert [str(m) for m in response.context["messages"]] == [
        "Strong organisational function: the points add up to 22.00, not 20.00."]
    assert scheme.indicators.get(code="O1").points == 3


def test_a_band_above_the_indicator_points_is_refused(client, scored, people):
    scheme = scheme_for(municipality_id=scored.municipality.pk, year=YEAR)
    client.force_login(people["municipal"])
    e1 = _index(scheme, "E1")

    response = client.post(reverse("scoring:scheme", args=["520300", YEAR]),
                           _scheme_post(scheme, **{f"ind-{e1}-band_points_4": "13"}), follow=True)

    assert any("a band gives 13" in str(m) for m in response.context["messages"])


def test_a_published_years_scheme_is_frozen(client, scored, people):
    scheme = scheme_for(municipality_id=scored.municipality.pk, year=YEAR)
    factories.set_year_state(YEAR, YearState.PUBLISHED)
    client.force_login(people["municipal"])

    assert client.post(reverse("scoring:scheme", args=["520300", YEAR]), _scheme_post(scheme)).status_code == 403
    page = client.get(reverse("scoring:scheme", args=["520300", YEAR]))
    assert page.context["can_edit"] is False


def test_others_see_the_scheme_read_only(client, scored, people):
    scheme = scheme_for(municipality_id=scored.municipality.pk, year=YEAR)
    client.force_login(people["reviewer_x"])

    assert client.get(reverse("scoring:scheme", args=["520300", YEAR])).context["can_edit"] is False
    assert client.post(reverse("scoring:scheme", args=["520300", YEAR]), _scheme_post(scheme)).status_code == 403


def test_a_new_year_copies_the_previous_years_scheme_of_the_same_city(place):
    get_year(YEAR)
    scheme = scheme_for(municipality_id=place.municipality.pk, year=YEAR)
    scheme.indicators.filter(code="O1").update(points=2)
    other = factories.MunicipalityFactory(code="520400", name="安顺市")
    get_year(YEAR + 1)

    following = scheme_for(municipality_id=place.municipality.pk, year=YEAR + 1)
    theirs = scheme_for(municipality_id=other.pk, year=YEAR + 1)

    assert following.copied_from == scheme
    assert following.indicators.get(code="O1").points == 2
    assert following.indicators.count() == 34
    assert (theirs.copied_from, theirs.indicators.get(code="O1").points) == (None, 3)


def test_exemplary_villages_are_proposed_once_and_decisions_kept(client, scored, people):
    settings_2021 = year_settings(year=YEAR, municipality_id=scored.municipality.pk)
    assert nominations_propose(year=settings_2021, actor=people["municipal"]) == 2  # A1 and C1
    client.force_login(people["municipal"])
    a1 = DemonstrationNomination.objects.get(village=scored.a1)

    client.post(reverse("scoring:nomination-decide", args=[a1.pk]), {"decision": "confirm", "note": "典型"})
    client.post(reverse("scoring:demonstration", args=["520300", YEAR]))  # propose again

    a1.refresh_from_db()
    assert (a1.status, a1.decided_by, a1.note) == (NominationStatus.CONFIRMED, people["municipal"], "典型")
    assert DemonstrationNomination.objects.count() == 2
    confirmed = client.get(reverse("scoring:demonstration", args=["520300", YEAR]) + "?status=confirmed")
    assert [n.village for n in confirmed.context["page_obj"]] == [scored.a1]


def test_only_municipal_staff_decide_nominations(client, scored, people):
    nominations_propose(year=year_settings(year=YEAR, municipality_id=scored.municipality.pk),
                        actor=people["municipal"])
    c1 = DemonstrationNomination.objects.get(village=scored.c1)
    client.force_login(people["reviewer_y"])

    assert client.post(reverse("scoring:nomination-decide", args=[c1.pk]), {"decision": "confirm"}).status_code == 403
    page = client.get(reverse("scoring:demonstration", args=["520300", YEAR]))
    assert [n.village for n in page.context["page_obj"]] == [scored.c1]  # a reviewer sees only their county's


def test_tasks_module_is_importable_for_the_worker():
    assert tasks.rollup_year_task.name == "wuqiang.scoring.tasks.rollup_year_task"


def test_proposing_candidates_stays_inside_the_municipal_users_city(db):
    from django.utils import timezone

    from tests import factories
    from wuqiang.scoring.models import DemonstrationNomination, Grade, VillageScorecard

    year = factories.AssessmentYearFactory(year=YEAR)
    ours, theirs = factories.VillageFactory(), factories.VillageFactory()
    staff = factories.MunicipalStaffFactory(municipality=ours.county.municipality)
    for village in (ours, theirs):
        VillageScorecard.objects.create(
            year=year, village=village, township=village.township, county=village.county,
            municipality=village.county.municipality, grade=Grade.EXEMPLARY, computed_at=timezone.now())

    added = nominations_propose(year=year_settings(year=YEAR, municipality_id=staff.municipality_id), actor=staff)

    assert added == 1
    assert list(DemonstrationNomination.objects.values_list("village_id", flat=True)) == [ours.pk]


def test_the_demonstration_list_shows_each_villages_scores_and_why_it_was_proposed(client, scored, people):
    nominations_propose(year=year_settings(year=YEAR, municipality_id=scored.municipality.pk),
                        actor=people["municipal"])
    client.force_login(people["municipal"])

    response = client.get(reverse("scoring:demonstration", args=["520300", YEAR]))

    rows = {row.nomination.village: row for row in response.context["rows"]}
    assert rows[scored.a1].card.total == 100
    assert rows[scored.a1].why == "total 100.00 ≥ 90.00, every pillar ≥ 16.00, no veto item"
    assert 'data-print' in response.content.decode()
