"""Record rows drawn in Python (``wuqiang/entries/rows.py``) are exactly the rows the template
``entries/_record_row.html`` draws: stored rows, posted rows with errors, hostile values,
read-only sheets; and the sheet page stays within its queries."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import connection
from django.template import engines
from django.test.utils import CaptureQueriesContext

from tests.entries.conftest import form_data, org_sheet, save
from wuqiang.entries.forms import EntryForms
from wuqiang.entries.registry import township_sheets, village_sheets
from wuqiang.entries.rows import blank_row, record_rows
from wuqiang.entries.validation import SheetErrors

SHEET_URL = "/villages/{code}/2021/organizations/"
TEMPLATE = engines["django"].from_string(
    '{% for form in formset %}{% include "entries/_record_row.html" %}{% endfor %}')
BLANK_TEMPLATE = engines["django"].from_string(
    '{% with form=formset.empty_form %}{% include "entries/_record_row.html" %}{% endwith %}')
HOSTILE = '"><script>alert(1)</script> =" & 1e400'


def by_template(formset) -> str:
    return TEMPLATE.render({"formset": formset})


def meetings(n: int, topic: str = "党小组会") -> list[dict]:
    start = datetime.date(2021, 1, 1)
    return [{"date": (start + datetime.timedelta(days=i % 40)).isoformat(), "kind": ("group", "committee")[i % 2],
             "topic": f"{topic} {i % 3}", "attendance": 8 + i % 2} for i in range(n)]


def assert_same(forms: EntryForms) -> None:
    for formset in forms.formsets:
        assert record_rows(formset) == by_template(formset), formset.prefix
        assert blank_row(formset) == BLANK_TEMPLATE.render({"formset": formset}), formset.prefix


@pytest.mark.parametrize("editable", [True, False])
def test_stored_rows_are_drawn_as_the_template_draws_them(flow, world, clerk_a, editable):
    entry = flow.draft(world.village_a, clerk_a, party_members=120)
    save(entry, clerk_a, add={"meeting": meetings(12, "会议 =\" & '引号'")})

    forms = EntryForms(org_sheet(), entry, editable=editable)

    assert len(forms.formsets[0].forms) == 12 + (1 if editable else 0)
    assert_same(forms)
    assert "<script>" not in record_rows(forms.formsets[0])


def test_posted_rows_with_errors_are_drawn_as_the_template_draws_them(flow, world, clerk_a):
    entry = flow.draft(world.village_a, clerk_a, party_members=120)
    save(entry, clerk_a, add={"meeting": meetings(5)})
    bad = [{"date": "2019-01-01", "kind": "nonsense", "topic": HOSTILE, "attendance": "-3"},
           {"date": HOSTILE, "kind": "group", "attendance": 500}]
    data = form_data(org_sheet(), entry, add={"meeting": bad})
    forms = EntryForms(org_sheet(), entry, data, editable=True)
    sheet_data = forms.sheet_input()
    from wuqiang.entries import services
    with pytest.raises(services.InvalidSheet) as refused:
        services.entry_save(entry=entry, actor=clerk_a, expected_version=entry.version, data=sheet_data)
    forms.show_errors(refused.value.errors)

    rows = record_rows(forms.formsets[0])
    assert "invalid-feedback" in rows and "table-danger" in rows
    assert "<script>" not in rows
    assert_same(forms)
    forms.show_errors(SheetErrors())
    assert_same(forms)


@pytest.mark.parametrize("sheet", [s for s in [*village_sheets(), *township_sheets()] if s.records],
                         ids=lambda s: s.slug)
def test_every_record_list_of_every_sheet_is_drawn_as_the_template_draws_it(sheet, world, year, clerk_a):
    from wuqiang.entries.models import Entry
    entry = Entry.objects.create(year=year, pillar=sheet.pillar, village=world.village_a,
                                 township=world.township_a, county=world.county_x)
    junk = {"version": "1"}
    for record in sheet.records:
        junk.update({f"{record.prefix}-TOTAL_FORMS": "3", f"{record.prefix}-INITIAL_FORMS": "0"})
        for i in range(3):
            junk.update({f"{record.prefix}-{i}-{name}": HOSTILE if i else "" for name in record.fields})
    forms = EntryForms(sheet, entry, junk, editable=True)
    for form in forms.all_forms():
        form.is_valid()
    assert_same(forms)
    assert_same(EntryForms(sheet, entry, editable=True))


def test_a_long_list_renders_in_a_bounded_number_of_queries(login_en, flow, world, clerk_a):
    entry = flow.draft(world.village_a, clerk_a, party_members=120)
    client = login_en(clerk_a)
    save(entry, clerk_a, add={"meeting": meetings(3)})
    with CaptureQueriesContext(connection) as few:
        assert client.get(SHEET_URL.format(code=world.village_a.code)).status_code == 200
    entry.refresh_from_db()
    save(entry, clerk_a, add={"meeting": meetings(60)})
    with CaptureQueriesContext(connection) as many:
        page = client.get(SHEET_URL.format(code=world.village_a.code))

    assert page.status_code == 200
    assert page.content.decode().count('name="meeting-') >= 63 * 4
    assert len(many) == len(few)


def test_the_page_draws_a_stored_list_without_a_form_per_record(login_en, flow, world, clerk_a, monkeypatch):
    """60 stored meetings: the page builds a handful of forms (the first record's, re-pointed at
    the others; the blank row; the header), not one per record — and still draws all 60."""
    from wuqiang.entries.forms import RecordForm

    entry = flow.draft(world.village_a, clerk_a, party_members=120)
    save(entry, clerk_a, add={"meeting": meetings(60)})
    built = []
    original = RecordForm.__init__

    def counting(self, *args, **kwargs):
        built.append(type(self).__name__)
        original(self, *args, **kwargs)

    monkeypatch.setattr(RecordForm, "__init__", counting)
    page = login_en(clerk_a).get(SHEET_URL.format(code=world.village_a.code)).content.decode()

    assert page.count('name="meeting-') >= 61 * 4 and 'name="meeting-59-topic"' in page
    assert built.count("MeetingForm") <= 3, built


def test_a_read_only_sheet_draws_every_stored_row_disabled(flow, world, clerk_a):
    entry = flow.draft(world.village_a, clerk_a, party_members=120)
    save(entry, clerk_a, add={"meeting": meetings(5)})
    rows = record_rows(EntryForms(org_sheet(), entry, editable=False).formsets[0])
    inputs = re.findall(r"<(?:input|select|textarea)\b[^>]*>", rows)
    visible = [tag for tag in inputs if 'type="hidden"' not in tag]
    assert len(visible) >= 5 * 4
    assert all(" disabled" in tag for tag in visible), [t for t in visible if " disabled" not in t]
    editable = record_rows(EntryForms(org_sheet(), entry, editable=True).formsets[0])
    assert " disabled" not in editable


def test_values_that_look_like_names_or_ids_are_drawn_as_the_template_draws_them(flow, world, clerk_a):
    """A row's input is cut around its value and renamed part by part: a topic spelled like
    another row's name or id stays as typed."""
    entry = flow.draft(world.village_a, clerk_a, party_members=120)
    rows = meetings(4)
    for i, row in enumerate(rows):
        row["topic"] = ("meeting-0-topic", "id_meeting-0-topic", 'x" name="meeting-0-topic', "meeting-3-topic")[i]
    save(entry, clerk_a, add={"meeting": rows})
    forms = EntryForms(org_sheet(), entry, editable=True)
    assert_same(forms)
    drawn = record_rows(forms.formsets[0])
    assert 'value="id_meeting-0-topic"' in drawn and 'name="meeting-2-topic"' in drawn


def test_stamped_rows_are_drawn_as_the_template_draws_them_whatever_the_values(flow, world, clerk_a):
    """After the first stored row, rows are stamped from the values (``rows._Stamp``): empty and
    filled values in any order, every kind, hostile text, the same value twice, long lists whose
    indexes share digits (row 1 and row 10)."""
    entry = flow.draft(world.village_a, clerk_a, party_members=120)
    kinds = ("group", "committee", "party_congress", "party_lecture", "theme_day")
    rows = []
    for i in range(24):
        rows.append({"date": f"2021-{1 + i % 12:02d}-{1 + i % 28:02d}", "kind": kinds[i % 5],
                     "topic": ("", HOSTILE, "同一个题目", "meeting-1-topic", 'x" id="id_meeting-10-topic')[i % 5],
                     "attendance": (None, 0, 7, 120)[i % 4]})
    save(entry, clerk_a, add={"meeting": rows})
    for editable in (True, False):
        forms = EntryForms(org_sheet(), entry, editable=editable)
        assert len(forms.formsets[0].forms) == 24 + editable
        assert_same(forms)
        drawn = record_rows(forms.formsets[0])
        assert "<script>" not in drawn and 'name="meeting-23-topic"' in drawn and 'id="id_meeting-10-date"' in drawn


def test_stamped_rows_build_no_bound_field_per_record(flow, world, clerk_a, monkeypatch):
    """60 stored meetings are drawn with bound fields for the first row and the values seen
    first, not for every field of every record."""
    from django.forms import BoundField

    entry = flow.draft(world.village_a, clerk_a, party_members=120)
    save(entry, clerk_a, add={"meeting": meetings(60)})
    formset = EntryForms(org_sheet(), entry, editable=True).formsets[0]
    built = []
    original = BoundField.__init__

    def counting(self, form, field, name):
        built.append(name)
        original(self, form, field, name)

    monkeypatch.setattr(BoundField, "__init__", counting)
    drawn = record_rows(formset)

    assert drawn.count("<tr") == 61
    assert len(built) < 60, len(built)


FIELD_TEMPLATE = engines["django"].from_string(
    '{% for field in fields %}{% include "entries/_field.html" with required_fields=sheet.required_fields %}'
    '{% endfor %}')


def assert_same_fields(forms: EntryForms) -> None:
    drawn = forms.fieldset_rows()
    assert len(drawn) == len(forms.fieldsets())
    for (legend, html), (_legend, fields) in zip(drawn, forms.fieldsets(), strict=True):
        assert html == FIELD_TEMPLATE.render({"fields": fields, "sheet": forms.sheet}), legend


@pytest.mark.parametrize("sheet", [*village_sheets(), *township_sheets()], ids=lambda s: s.slug)
def test_profile_fields_of_every_sheet_are_drawn_as_the_field_template_draws_them(sheet, world, year, clerk_a):
    """The profile's fields drawn in Python (``rows.profile_field``) are ``entries/_field.html``:
    blank, with hostile values and their errors, read-only, and with the typing watch."""
    from wuqiang.entries.models import Entry
    entry = Entry.objects.create(year=year, pillar=sheet.pillar, village=world.village_a,
                                 township=world.township_a, county=world.county_x)
    junk = {"version": "1", **{f"profile-{name}": HOSTILE for name in sheet.profile_form._meta.fields}}
    posted = EntryForms(sheet, entry, junk, editable=True)
    posted.profile_form.is_valid()
    for forms in (EntryForms(sheet, entry, editable=True), EntryForms(sheet, entry, editable=False), posted):
        assert_same_fields(forms)
    watched = EntryForms(sheet, entry, editable=True)
    watched.watch({w.field: {"low": "1", "high": '2"<'} for w in sheet.watched})
    assert_same_fields(watched)
