"""The bad-input catalogue of issue 9: each value is refused with a clear message next to its
field, and nothing changes — whichever door it comes through, since every door calls the same
services."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import models

from organizations.models import Meeting
from tests.entries.conftest import fingerprint, form_data, load, org_sheet, save
from wuqiang.entries import services
from wuqiang.entries.models import Change, Entry, EntryState, Pillar
from wuqiang.entries.registry import PillarSheet, get_sheet, township_sheets, village_sheets
from wuqiang.entries.snapshots import take_snapshot
from wuqiang.entries.validation import InvalidSheet, RecordRows, SheetInput
from wuqiang.scoring import services as scoring_services
from wuqiang.scoring.models import DemonstrationNomination

pytestmark = pytest.mark.django_db

NUL = "请核对\x00网格数"
HUGE = "很长" * 100_000  # 200,000 characters
SHEET_URL = "/villages/{code}/2021/organizations/"


def _state(entry: Entry, sheet: PillarSheet) -> dict[str, Any]:
    fresh = Entry.objects.get(pk=entry.pk)
    return {"entry": {f.attname: getattr(fresh, f.attname) for f in Entry._meta.concrete_fields},
            "values": take_snapshot(fresh, sheet), "changes": Change.objects.filter(entry=fresh).count()}


def _refused(entry: Entry, clerk, sheet: PillarSheet, data: SheetInput) -> InvalidSheet:
    before = _state(entry, sheet)
    with pytest.raises(InvalidSheet) as refused:
        services.entry_save(entry=load(entry), actor=clerk, expected_version=entry.version, data=data)
    assert _state(entry, sheet) == before
    return refused.value


def _draft(world, year, clerk, sheet: PillarSheet) -> Entry:
    unit = world.village_a if sheet in village_sheets() else world.township_a
    entry = services.new_entry(unit=unit, year=year, sheet=sheet)
    return load(services.entry_save(entry=entry, actor=clerk, expected_version=0, data=SheetInput()))


# --- Unknown choices -------------------------------------------------------------------------------------

YES_NO_FIELDS = [
    (sheet.slug, name)
    for sheet in [*village_sheets(), *township_sheets()]
    for name in sheet.profile_fields
    if isinstance(sheet.profile_model._meta.get_field(name), models.BooleanField)
]


def test_the_catalogue_covers_the_yes_no_questions_of_every_sheet():
    assert len(YES_NO_FIELDS) >= 30
    # Talent asks no yes/no question on its profile (its tick boxes are on the people's rows).
    assert {slug for slug, _name in YES_NO_FIELDS} == {"organizations", "economy", "governance", "support",
                                                        "support-township"}


@pytest.mark.parametrize(("slug", "field"), YES_NO_FIELDS)
@pytest.mark.parametrize("value", ["maybe", "2023", "是的", ["true"]])
def test_an_unknown_value_for_a_yes_no_question_is_refused(world, year, clerk_a, slug, field, value):
    sheet = get_sheet(slug)
    entry = _draft(world, year, clerk_a, sheet)

    refused = _refused(entry, clerk_a, sheet, SheetInput(profile={field: value}))

    assert refused.errors.profile[field] == ["Choose yes, no or leave it unanswered."]


def test_an_unknown_yes_no_value_posted_by_the_page_is_refused_not_saved_as_unanswered(login_en, world, year,
                                                                                       clerk_a, flow):
    entry = flow.draft(world.village_a, clerk_a)
    before = fingerprint(entry)
    data = form_data(org_sheet(), entry, profile={"points_system": None})
    data["profile-points_system"] = "perhaps"

    response = login_en(clerk_a).post(SHEET_URL.format(code=world.village_a.code), data)

    assert response.status_code == 200
    assert "Choose yes, no or leave it unanswered." in response.content.decode()
    assert "Saved." not in response.content.decode()
    assert fingerprint(entry) == before


@pytest.mark.parametrize("value", ["banana", 7, True])
def test_an_unknown_choice_is_refused(flow, world, clerk_a, value):
    entry = flow.draft(world.village_a, clerk_a)

    refused = _refused(entry, clerk_a, org_sheet(), SheetInput(profile={"org_type": value}))

    assert refused.errors.profile["org_type"][0].startswith("Select a valid choice.")


def test_an_unknown_value_for_a_tick_box_of_a_record_is_refused(flow, world, clerk_a):
    entry = flow.draft(world.village_a, clerk_a)
    matter = {"title": "土地流转", "date": "2021-05-01", "four_deliberations": "sometimes", "made_public": True}

    refused = _refused(entry, clerk_a, org_sheet(), SheetInput(records={"majormatter": RecordRows(rows=[matter])}))

    assert refused.errors.records["majormatter"][0]["four_deliberations"] == ["Choose yes or no."]


# --- Free text: control characters and length ---------------------------------------------------------------


@pytest.mark.parametrize(("text", "message"), [
    (NUL, "control characters"),
    (HUGE, "Keep it to 2000 characters"),
])
def test_workflow_texts_refuse_nul_and_huge_input(flow, world, year, clerk_a, reviewer_x, municipal, text, message):
    submitted = flow.submitted(world.villages["a"][0], clerk_a)
    approved = flow.approved(world.villages["a"][1], clerk_a, reviewer_x)
    before = (fingerprint(submitted), fingerprint(approved))

    with pytest.raises(ValidationError, match=message):
        services.entry_return(entry=load(submitted), actor=reviewer_x, comment=text)
    with pytest.raises(ValidationError, match=message):
        services.entry_approve(entry=load(submitted), actor=reviewer_x, comment=text)
    with pytest.raises(ValidationError, match=message):
        services.entry_reopen(entry=load(approved), actor=reviewer_x, reason=text)

    assert (fingerprint(submitted), fingerprint(approved)) == before


@pytest.mark.parametrize("text", [NUL, HUGE])
def test_the_flag_explanation_refuses_nul_and_huge_input(flow, world, clerk_a, text):
    entry = flow.draft(world.village_a, clerk_a)

    refused = _refused(entry, clerk_a, org_sheet(), SheetInput(flag_explanation=text))

    assert "flag_explanation" in refused.errors.profile


@pytest.mark.parametrize("text", [NUL, "典型\n示范", "典" * 201])
def test_the_nomination_note_refuses_control_characters_and_long_text(world, year, municipal, text):
    nomination = DemonstrationNomination.objects.create(year=year, village=world.village_a)

    with pytest.raises(ValidationError):
        scoring_services.nomination_decide(nomination=nomination, actor=municipal, confirm=True, note=text)

    nomination.refresh_from_db()
    assert (nomination.status, nomination.note) == ("proposed", "")


def test_a_return_comment_with_nul_posted_by_the_page_gets_a_message_not_a_server_error(
        login_en, flow, world, clerk_a, reviewer_x):
    entry = flow.submitted(world.village_a, clerk_a)
    before = fingerprint(entry)

    response = login_en(reviewer_x).post(f"/entries/{entry.pk}/return/", {"comment": NUL}, follow=True)

    assert response.status_code == 200
    assert "control characters" in response.content.decode()
    assert fingerprint(entry) == before


@pytest.mark.parametrize(("row", "field"), [
    ({"date": "2021-03-01", "kind": "committee", "topic": NUL, "attendance": 5}, "topic"),
    ({"date": "2021-03-01", "kind": "committee", "topic": "学习\n党章", "attendance": 5}, "topic"),
    ({"date": "2021-03-01", "kind": "committee", "topic": "学" * 201, "attendance": 5}, "topic"),
])
def test_record_text_refuses_control_characters_and_overlong_values(flow, world, clerk_a, row, field):
    entry = flow.draft(world.village_a, clerk_a)

    refused = _refused(entry, clerk_a, org_sheet(), SheetInput(records={"meeting": RecordRows(rows=[row])}))

    assert field in refused.errors.records["meeting"][0]


def test_a_weak_case_refuses_two_hundred_thousand_characters_of_reasons(flow, world, clerk_a):
    entry = flow.draft(world.village_a, clerk_a)
    case = {"reasons": HUGE, "status": "listed"}

    refused = _refused(entry, clerk_a, org_sheet(), SheetInput(records={"weakcase": RecordRows(rows=[case])}))

    assert refused.errors.records["weakcase"][0]["reasons"][0].startswith("Ensure this value has at most 2000")


# --- Dates ------------------------------------------------------------------------------------------------------

POSTING = {"name": "李明", "gender": "male", "birth_year": 1985, "education": "bachelor",
           "kind": "first_secretary", "sending_unit": "市委组织部"}


@pytest.mark.parametrize(("start", "end", "field"), [
    ("1800-01-01", "9999-12-31", "start_date"),
    ("2021-01-01", "9999-12-31", "end_date"),
    ("2019-01-01", "2020-06-30", "end_date"),
    ("2022-02-01", None, "start_date"),
])
def test_a_posting_far_out_or_wholly_outside_the_year_is_refused(world, year, clerk_a, start, end, field):
    sheet = get_sheet(Pillar.TALENT)
    entry = _draft(world, year, clerk_a, sheet)
    row = {**POSTING, "start_date": start, "end_date": end}

    refused = _refused(entry, clerk_a, sheet, SheetInput(records={"sentdown": RecordRows(rows=[row])}))

    assert field in refused.errors.records["sentdown"][0]


def test_a_posting_overlapping_the_year_is_accepted(world, year, clerk_a):
    sheet = get_sheet(Pillar.TALENT)
    entry = _draft(world, year, clerk_a, sheet)
    row = {**POSTING, "start_date": "2019-03-01", "end_date": "2021-02-28"}

    services.entry_save(entry=entry, actor=clerk_a, expected_version=entry.version,
                        data=SheetInput(records={"sentdown": RecordRows(rows=[row])}))

    assert entry.talent_sentdown_set.count() == 1


# --- Numbers that depend on another value ---------------------------------------------------------------------


def test_attendance_above_the_branchs_members_is_refused(flow, world, clerk_a):
    entry = flow.draft(world.village_a, clerk_a, party_members=95)
    meeting = {"date": "2021-03-01", "kind": "party_congress", "topic": "党员大会", "attendance": 950}

    refused = _refused(entry, clerk_a, org_sheet(), SheetInput(records={"meeting": RecordRows(rows=[meeting])}))

    assert refused.errors.records["meeting"][0]["attendance"] == [
        "Attendance cannot exceed the branch's 95 party members."]


def test_lowering_the_members_below_a_meetings_attendance_is_refused(flow, world, clerk_a):
    entry = flow.draft(world.village_a, clerk_a, party_members=95)
    save(load(entry), clerk_a, add={"meeting": [{"date": "2021-03-01", "kind": "party_congress",
                                                 "topic": "党员大会", "attendance": 80}]})
    entry = load(entry)

    refused = _refused(entry, clerk_a, org_sheet(), SheetInput(profile={"party_members": 60}))

    assert refused.errors.profile["party_members"] == [
        "1 meetings list more attendees (up to 80) than this number of party members: correct their attendance "
        "or the number of members."]


def test_lowering_households_below_those_visited_is_refused_on_the_page(login_en, flow, world, year, clerk_a):
    entry = flow.draft(world.village_a, clerk_a)  # 300 households
    governance = get_sheet(Pillar.GOVERNANCE)
    services.entry_save(entry=services.new_entry(unit=world.village_a, year=year, sheet=governance), actor=clerk_a,
                        expected_version=0, data=SheetInput(profile={"households_visited": 290}))
    before = fingerprint(entry)

    response = login_en(clerk_a).post(SHEET_URL.format(code=world.village_a.code),
                                      form_data(org_sheet(), entry, profile={"households": 250}))

    assert response.status_code == 200
    assert "Households cannot be fewer than the 290 households visited" in response.content.decode()
    assert fingerprint(entry) == before


# --- Numbers: NaN, infinities, 1e400 -----------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["nan", "NaN", "inf", "-Infinity", "1e400"])
def test_pillar_numbers_refuse_nan_infinity_and_1e400(flow, world, clerk_a, value):
    entry = flow.draft(world.village_a, clerk_a)

    refused = _refused(entry, clerk_a, org_sheet(), SheetInput(profile={"competition_score": value,
                                                                         "party_members": value}))

    assert set(refused.errors.profile) == {"competition_score", "party_members"}


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "1e400", "NaN"])
def test_the_scheme_page_refuses_nan_infinity_and_1e400_with_a_message(client, world, year, municipal, value):
    from tests.scoring.test_dashboards import _index, _scheme_post

    scheme = scoring_services.scheme_for(municipality_id=world.municipality.pk, year=year.year)
    points = sorted(scheme.indicators.values_list("code", "points", "params"))
    client.force_login(municipal)
    e1, o2 = _index(scheme, "E1"), _index(scheme, "O2")

    for changes in ({f"ind-{e1}-band_from_1": value}, {f"ind-{e1}-band_points_2": value},
                    {f"ind-{o2}-high": value}, {f"ind-{o2}-points": value}, {"exemplary_total": value}):
        response = client.post(f"/scoring/schemes/{world.municipality.code}/{year.year}/",
                               _scheme_post(scheme, **changes))
        assert response.status_code == 200, changes
        assert re.search(r"is-invalid|text-danger|alert-danger", response.content.decode()), changes

    assert sorted(scheme.indicators.values_list("code", "points", "params")) == points


@pytest.mark.parametrize("value", [float("nan"), float("inf"), "1e400", "NaN"])
def test_the_scheme_service_refuses_non_finite_numbers_whoever_calls_it(value):
    from tests.scoring.test_scheme import THRESHOLDS, default_rows

    rows = default_rows()
    rows[0]["points"] = value
    next(r for r in rows if r["code"] == "E1")["params"] = {"bands": [[value, 4]]}

    errors = scoring_services.scheme_validate(indicators=rows, thresholds={**THRESHOLDS, "pass_total": value})

    assert any(e.startswith("O1: points must be a number") for e in errors)
    assert any(e.startswith("E1: each band is a threshold and its points") for e in errors)
    assert any(e.startswith("Every grade line must be a number") for e in errors)


# --- A big sheet ---------------------------------------------------------------------------------------------


def test_a_sheet_with_500_records_saves_and_renders_again(login_en, flow, world, clerk_a):
    entry = flow.draft(world.village_a, clerk_a, party_members=120)
    start = datetime.date(2021, 1, 1)
    meetings = [{"date": (start + datetime.timedelta(days=i % 365)).isoformat(), "kind": "group",
                 "topic": f"党小组会 {i}", "attendance": 8} for i in range(500)]
    client = login_en(clerk_a)

    response = client.post(SHEET_URL.format(code=world.village_a.code),
                           form_data(org_sheet(), entry, add={"meeting": meetings}))

    assert response.status_code == 302
    assert Meeting.objects.filter(entry=entry).count() == 500
    page = client.get(SHEET_URL.format(code=world.village_a.code))
    assert page.status_code == 200
    assert page.content.decode().count('name="meeting-') >= 500 * 4
    # Saving the whole sheet again (every row posted back) works too.
    again = client.post(SHEET_URL.format(code=world.village_a.code),
                        form_data(org_sheet(), load(entry), profile={"households": 301}))
    assert again.status_code == 302
    assert load(entry).state == EntryState.DRAFT and Meeting.objects.filter(entry=entry).count() == 500


def test_a_record_list_holds_at_most_a_thousand_rows(flow, world, clerk_a):
    entry = flow.draft(world.village_a, clerk_a, party_members=120)
    rows = [{"date": "2021-05-01", "kind": "group", "attendance": 5}] * 1001

    refused = _refused(entry, clerk_a, org_sheet(), SheetInput(records={"meeting": RecordRows(rows=rows)}))

    assert refused.errors.general == [
        "Meetings and theme days can hold at most 1000 rows "
        "(this would make 1001)."]
