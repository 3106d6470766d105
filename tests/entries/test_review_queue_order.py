"""The review queue's stored order (``Entry.sort_code``): set where entries are created, kept when
a unit is re-coded, filled by the migration, and the queue pages through it without sorting
through joins (issue #17, item 4)."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from tests import factories
from wuqiang.entries import selectors, services
from wuqiang.entries.models import Entry, EntryState, entry_sort_code
from wuqiang.entries.registry import township_sheets, village_sheets
from wuqiang.entries.validation import SheetInput

pytestmark = pytest.mark.django_db


def _create(unit, year, sheet, clerk) -> Entry:
    """An entry created the way every adapter creates one: ``new_entry`` and its first save."""
    entry = services.new_entry(unit=unit, year=year, sheet=sheet)
    return services.entry_save(entry=entry, actor=clerk, expected_version=0, data=SheetInput())


@pytest.fixture
def county_sheets(world, year):
    """Every sheet of county X's two townships, created through the services in an order that is
    not the queue's: township B first, a village whose code sorts first created last."""
    clerk_a = factories.ClerkFactory(township=world.township_a)
    clerk_b = factories.ClerkFactory(township=world.township_b)
    late = factories.VillageFactory(township=world.township_a, code=f"{world.township_a.code}150", name="后建村")
    units = [(world.township_b, clerk_b), *[(v, clerk_b) for v in world.villages["b"]],
             *[(v, clerk_a) for v in reversed(world.villages["a"])], (late, clerk_a), (world.township_a, clerk_a)]
    for unit, clerk in units:
        sheets = township_sheets() if unit in (world.township_a, world.township_b) else village_sheets()
        for sheet in reversed(sheets):
            _create(unit, year, sheet, clerk)
    return Entry.objects.filter(county=world.county_x, year=year)


def _old_order(entries):
    """The order the queue had through joins on PostgreSQL (NULL village codes last)."""
    return list(entries.order_by("township__code", F("village__code").asc(nulls_last=True), "pillar")
                .values_list("pk", flat=True))


def test_the_services_store_the_queue_key_of_village_and_township_sheets(world, year, clerk_a):
    village_entry = _create(world.village_a, year, village_sheets()[0], clerk_a)
    township_entry = _create(world.township_a, year, township_sheets()[0], clerk_a)

    village_key = Entry.objects.get(pk=village_entry.pk).sort_code
    township_key = Entry.objects.get(pk=township_entry.pk).sort_code
    assert village_key == f"{world.township_a.code}0{world.village_a.code}"
    assert township_key == f"{world.township_a.code}1"
    # The township's own sheets follow its villages', before the next township.
    assert village_key < township_key < entry_sort_code(world.township_b.code, world.villages["b"][0].code)


def test_the_queue_keeps_the_order_it_had_through_joins(world, year, county_sheets, reviewer_x):
    queue = selectors.review_queue(county=world.county_x, year=year, user=reviewer_x)

    assert len(county_sheets) == 3 * len(village_sheets()) + 2 * len(village_sheets()) + 2 * len(township_sheets())
    assert list(queue.values_list("pk", flat=True)) == _old_order(county_sheets)


def test_the_pages_of_the_queue_follow_the_order_and_cover_every_entry(monkeypatch, world, year, county_sheets,
                                                                        reviewer_x):
    monkeypatch.setattr(selectors, "REVIEW_PAGE_SIZE", 4)
    queue = selectors.review_queue(county=world.county_x, year=year, user=reviewer_x)

    first = selectors.review_queue_page(queue, 1)
    listed = []
    for number in first.paginator.page_range:
        page = selectors.review_queue_page(queue, number)
        listed += [entry.pk for entry in page]
        # The page's rows come with their village, township and clerk (no query per row).
        with CaptureQueriesContext(connection) as queries:
            [(entry.township.name, entry.village and entry.village.name, entry.submitted_by) for entry in page]
        assert len(queries) == 0
    assert listed == _old_order(county_sheets)


def test_the_page_query_orders_by_the_stored_key_not_through_joins(client, world, year, county_sheets, reviewer_x):
    county_sheets.update(state=EntryState.SUBMITTED)
    client.force_login(reviewer_x)

    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/counties/{world.county_x.code}/review/", {"year": year.year})

    assert response.status_code == 200
    assert [e.pk for e in response.context["page_obj"]] == _old_order(county_sheets)
    listing = [q["sql"] for q in queries if "LIMIT" in q["sql"] and '"entries_entry"."sort_code"' in q["sql"]]
    assert len(listing) == 1
    order_clauses = listing[0].split("ORDER BY")[1:]
    # The page's ids are picked by the stored key (inner query, limited), and the 50 rows
    # joined to them are put back in that order: nothing is sorted by a joined table's column.
    assert len(order_clauses) == 2
    assert all(clause.lstrip().startswith('"entries_entry"."sort_code"') or
               clause.lstrip().startswith('U0."sort_code"') for clause in order_clauses)
    assert '"regions_township"."code" ASC' not in listing[0]
    assert '"regions_village"."code" ASC' not in listing[0]


def test_the_townships_waiting_count_their_own_sheets_and_the_flagged_ones(world, year, county_sheets,
                                                                           reviewer_x):
    county_sheets.update(state=EntryState.SUBMITTED)
    flagged = county_sheets.filter(village__in=world.villages["b"]).first()
    Entry.objects.filter(pk=flagged.pk).update(quality_flags=[{"field": "households"}])
    per_township = 2 * len(village_sheets()) + len(township_sheets())

    waiting = selectors.townships_waiting(county=world.county_x, year=year, user=reviewer_x)

    assert waiting == [
        {"township__code": world.township_a.code, "township__name": world.township_a.name,
         "submitted": per_township + len(village_sheets()), "flagged": 0},
        {"township__code": world.township_b.code, "township__name": world.township_b.name,
         "submitted": per_township, "flagged": 1},
    ]


def test_re_coding_a_village_or_a_township_moves_its_entries_in_the_queue(world, year, county_sheets, reviewer_x):
    village = world.villages["a"][0]
    village.code = f"{world.township_a.code}999"
    village.save()
    assert set(Entry.objects.filter(village=village).values_list("sort_code", flat=True)) == {
        f"{world.township_a.code}0{village.code}"}

    township = world.township_b
    township.code = "520302000"  # now before township A (520302001)
    township.save()
    assert set(Entry.objects.filter(township=township, village__isnull=True).values_list("sort_code", flat=True)) == {
        "5203020001"}
    assert all(key.startswith("5203020000") for key in
               Entry.objects.filter(township=township, village__isnull=False).values_list("sort_code", flat=True))

    queue = selectors.review_queue(county=world.county_x, year=year, user=reviewer_x)
    assert list(queue.values_list("pk", flat=True)) == _old_order(county_sheets)


def test_renaming_a_village_writes_no_entry(world, year, county_sheets):
    village = world.villages["a"][0]
    village.name = "新名村"
    with CaptureQueriesContext(connection) as queries:
        village.save(update_fields=["name"])
    assert not any("entries_entry" in q["sql"] for q in queries)


def test_the_migration_fills_the_key_of_the_entries_already_there(world, year, county_sheets):
    expected = {e.pk: e.sort_code for e in county_sheets}
    county_sheets.update(sort_code="")

    importlib.import_module("wuqiang.entries.migrations.0006_review_queue_sort_code").fill_sort_codes(apps, None)

    assert {e.pk: e.sort_code for e in Entry.objects.filter(pk__in=expected)} == expected
    assert all(key for key in expected.values())


@pytest.mark.django_db(transaction=True)
def test_the_benchmark_city_stores_the_key_of_every_entry():
    """Both builders of ``benchmark_rollup`` (the ORM one here on SQLite, set-based SQL on
    PostgreSQL) write entries outside the services, so they set the key themselves."""
    import io

    from django.core.management import call_command

    call_command("benchmark_rollup", villages=40, rounds=0, keep=True, stdout=io.StringIO())
    try:
        entries = Entry.objects.filter(county__municipality__code="990000")
        assert entries.filter(village__isnull=True).exists() and entries.filter(village__isnull=False).exists()
        stored = list(entries.annotate(expected=services.sort_code_expression()).values_list("sort_code", "expected"))
        assert all(key == expected for key, expected in stored)
    finally:
        call_command("benchmark_rollup", villages=1, rounds=0, stdout=io.StringIO())  # removes the kept city
