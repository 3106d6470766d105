"""``benchmark_rollup`` builds its synthetic city (set-based SQL on PostgreSQL), times the
roll-up against the reference query over interleaved rounds, and removes what it built."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command
from django.db import connection

from organizations.models import Meeting
from wuqiang.entries.models import Entry
from wuqiang.regions.models import County, Municipality, Township, Village
from wuqiang.scoring.management.commands._reference_sql import run_reference
from wuqiang.scoring.models import VillageScorecard

pytestmark = pytest.mark.django_db(transaction=True)


def run(**options) -> str:
    out = io.StringIO()
    call_command("benchmark_rollup", stdout=out, **options)
    return out.getvalue()


def test_it_prints_each_round_with_the_ratio_and_removes_the_city():
    output = run(villages=40, rounds=2)

    rounds = re.findall(r"round \d: roll-up ([\d.]+) s \((\d+) roll-up statements.*reference ([\d.]+) s "
                        r"\((\d+) villages.*ratio ([\d.]+|inf)", output)
    assert len(rounds) == 2, output
    assert all(int(statements) > 0 and villages == "40" for _s, statements, _r, villages, _ratio in rounds)
    assert "median ratio to the reference" in output
    assert not Municipality.objects.filter(code="990000").exists()
    assert not Village.objects.exists() and not Entry.objects.exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the set-based build is PostgreSQL's")
def test_the_set_based_city_has_the_shape_of_the_orm_one():
    from wuqiang.scoring.management.commands import _synthetic_sql

    output = run(villages=1520, rounds=1, keep=True)
    try:
        assert "set-based SQL" in output
        city = Municipality.objects.get(code="990000")
        assert County.objects.filter(municipality=city).count() == 2
        assert Township.objects.filter(county__municipality=city).count() == 102
        villages = Village.objects.filter(county__municipality=city)
        assert villages.count() == 1520
        assert villages.values("code").distinct().count() == 1520
        assert all(v.code.startswith(v.township.code) for v in villages.select_related("township")[:50])
        # five pillars this year, economy last year, one township sheet per township
        assert Entry.objects.filter(year_id=2090, village__isnull=False).count() == 5 * 1520
        assert Entry.objects.filter(year_id=2089).count() == 1520
        assert Entry.objects.filter(year_id=2090, village__isnull=True).count() == 102
        assert 6 * 1520 <= Meeting.objects.filter(entry__year_id=2090).count() <= 14 * 1520
        assert VillageScorecard.objects.filter(year_id=2090).count() == 1520
        with connection.cursor() as cursor:
            assert run_reference(cursor, 2090, city.pk) == 1520
        assert _synthetic_sql.VILLAGES_PER_TOWNSHIP == 15
    finally:
        run(villages=1, rounds=0)  # removes the kept city, then its own
