"""Stored counts of village sheets by state (``wuqiang/entries/tallies.py``): kept by the entry
services and the roll-up, equal to a live count after every step, and what the city dashboard
reads instead of counting every entry of the city."""

from __future__ import annotations

from django.apps import apps
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from wuqiang.entries import services
from wuqiang.entries.models import Entry, EntryTally
from wuqiang.entries.tallies import tallied_by_state


def live(county=None, *, municipality=None) -> dict[str, int]:
    """Counted here, independently of the code under test."""
    entries = Entry.objects.exclude(village=None)
    entries = entries.filter(county=county) if county else entries.filter(county__municipality=municipality)
    return {row["state"]: row["n"] for row in entries.values("state").annotate(n=Count("id")).order_by()}


def stored(county) -> dict[str, int]:
    return {t.state: t.entries for t in EntryTally.objects.filter(county=county) if t.entries}


def test_every_step_through_the_services_keeps_the_county_counts(world, flow, clerk_a, clerk_b, clerk_c,
                                                                  reviewer_x):
    a, b = world.villages["a"], world.villages["b"]
    steps = [
        lambda: flow.draft(a[0], clerk_a),
        lambda: flow.submitted(a[1], clerk_a),
        lambda: flow.approved(b[0], clerk_b, reviewer_x),
        lambda: flow.returned(b[1], clerk_b, reviewer_x),
        lambda: services.entry_reopen(entry=Entry.objects.get(village=b[0]), actor=reviewer_x, reason="复核"),
        lambda: flow.submitted(world.village_c, clerk_c),
    ]
    for step in steps:
        step()
        assert stored(world.county_x) == live(world.county_x)
        assert stored(world.county_y) == live(world.county_y)
    assert live(world.county_x) == {"draft": 1, "submitted": 1, "returned": 2}
    assert tallied_by_state(municipality_id=world.municipality.pk, year=flow.year.year) == live(
        municipality=world.municipality)


def test_approving_a_township_at_once_keeps_the_counts(world, flow, year, clerk_a, reviewer_x):
    for village in world.villages["a"]:
        flow.submitted(village, clerk_a)
    assert services.entries_approve_submitted(township=world.township_a, year=year, actor=reviewer_x) == 2
    assert stored(world.county_x) == live(world.county_x) == {"approved": 2}


def test_the_roll_up_recounts_what_was_written_outside_the_services(world, flow, year, clerk_a):
    from wuqiang.scoring.rollup import rollup_year

    entry = flow.submitted(world.village_a, clerk_a)
    Entry.objects.filter(pk=entry.pk).update(state="approved")  # as a seeder would write it
    assert stored(world.county_x) == {"submitted": 1}
    rollup_year(year.year)
    assert stored(world.county_x) == live(world.county_x) == {"approved": 1}


def test_the_migration_counts_the_entries_already_there(world, flow, clerk_a, clerk_b, reviewer_x):
    import importlib

    flow.approved(world.village_a, clerk_a, reviewer_x)
    flow.draft(world.village_b, clerk_b)
    EntryTally.objects.all().delete()
    importlib.import_module("wuqiang.entries.migrations.0005_entry_tallies").count_existing_entries(apps, None)
    assert stored(world.county_x) == live(world.county_x) == {"approved": 1, "draft": 1}


def test_the_city_dashboard_reads_the_tallies_and_counts_no_entries(client, world, flow, year, clerk_a, reviewer_x,
                                                                   municipal):
    from wuqiang.scoring.rollup import rollup_year

    flow.approved(world.village_a, clerk_a, reviewer_x)
    flow.submitted(world.villages["a"][1], clerk_a)
    rollup_year(year.year)
    client.force_login(municipal)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("scoring:municipality", args=[world.municipality.code]) + f"?year={year.year}")
    progress = response.context["progress"]
    assert (progress.approved, progress.submitted) == (1, 1)
    assert not [q["sql"] for q in queries if 'FROM "entries_entry"' in q["sql"] and "COUNT" in q["sql"]]
