"""The benchmark command runs on a small world and checks what it lists (the figures themselves
are measured on the demo city, not asserted)."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tests.api.conftest import make_scorecards
from wuqiang.api.models import ApiToken

pytestmark = pytest.mark.django_db


def test_benchmark_api_lists_every_scorecard_and_revokes_its_token(world, year, municipal):
    make_scorecards(world, year)
    out = StringIO()

    call_command("benchmark_api", "--username", "municipal", "--page-size", "4", "--singles", "3", "--rounds", "1",
                 stdout=out)

    text = out.getvalue()
    assert "village scorecards of 2021: 6, pages of 4: 2 requests per listing" in text
    assert "single scorecard (3 requests)" in text
    assert ApiToken.objects.get().revoked_at is not None


def test_benchmark_api_needs_the_seeded_city(db):
    with pytest.raises(CommandError):
        call_command("benchmark_api", "--username", "nobody")
