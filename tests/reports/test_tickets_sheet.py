"""The report's tickets sheet: the scope's open tickets and the year's, overdue marked, user text as text."""

from __future__ import annotations

import datetime

import pytest
from django.utils import translation

from tests.reports.conftest import read, table
from tests.scoring.conftest import YEAR
from wuqiang.reports import selectors
from wuqiang.reports.workbook import build_report
from wuqiang.tickets import services
from wuqiang.tickets.models import Category, Severity, Ticket, today

pytestmark = pytest.mark.django_db


def issue(actor, unit, title: str, **extra) -> Ticket:
    data = services.TicketInput(title=title, problem=extra.pop("problem", "Found on inspection."),
                                category=Category.GOVERNANCE, severity=Severity.RECTIFY,
                                deadline=today() + datetime.timedelta(days=5))
    return services.ticket_issue(actor=actor, unit=unit, data=data)


def tickets_sheet(path, user, code):
    unit = selectors.visible_unit_or_404(user, code)
    with translation.override("en"):
        build_report(actor=user, unit=unit, year=YEAR, output=str(path))
    return table(read(path), "Inspection tickets")


def test_an_overdue_ticket_is_in_the_report_until_it_is_closed(scored, people, workbook_path):
    late = issue(people["reviewer_x"], scored.a1, "Ledger missing", problem="=HYPERLINK(\"http://x\")")
    Ticket.objects.filter(pk=late.pk).update(deadline=today() - datetime.timedelta(days=4))
    on_time = issue(people["reviewer_x"], scored.b1, "Sign board")
    elsewhere = issue(people["reviewer_y"], scored.c1, "Other county")

    rows = {r["No."]: r for r in tickets_sheet(workbook_path, people["reviewer_x"], "520302")}
    assert set(rows) == {late.pk, on_time.pk}  # the other county's ticket is not in this county's report
    assert (rows[late.pk]["Overdue"], rows[late.pk]["Days overdue"]) == ("Yes", 4)
    assert (rows[on_time.pk]["Overdue"], rows[on_time.pk]["Days overdue"]) == ("No", None)
    assert rows[late.pk]["Division code"] == scored.a1.code and rows[late.pk]["Category"] == "Governance"
    assert rows[late.pk]["Problem found"] == '=HYPERLINK("http://x")'
    sheet = read(workbook_path)["Inspection tickets"]
    problem = next(c for c in sheet[1] if c.value == "Problem found").column
    assert {sheet.cell(row, problem).data_type for row in range(2, sheet.max_row + 1)} == {"s"}  # text, no formula

    city = {r["No."] for r in tickets_sheet(workbook_path, people["municipal"], "520300")}
    assert city == {late.pk, on_time.pk, elsewhere.pk}

    services.ticket_answer(ticket=late, actor=people["clerk_a"], answer="Done.")
    services.ticket_close(ticket=late, actor=people["reviewer_x"])
    rows = {r["No."]: r for r in tickets_sheet(workbook_path, people["reviewer_x"], "520302")}
    # Closed, and not issued in the report's year (2021): it leaves the report.
    assert set(rows) == {on_time.pk}


def test_a_ticket_issued_in_the_reports_year_stays_listed_once_closed(scored, people, workbook_path):
    ticket = issue(people["reviewer_x"], scored.a1, "Ledger missing")
    services.ticket_answer(ticket=ticket, actor=people["clerk_a"], answer="Done.")
    services.ticket_close(ticket=ticket, actor=people["reviewer_x"])
    Ticket.objects.filter(pk=ticket.pk).update(issued_at=datetime.datetime(YEAR, 6, 1, tzinfo=datetime.UTC))

    rows = tickets_sheet(workbook_path, people["reviewer_x"], "520302")
    assert [(r["No."], r["State"], r["Overdue"], r["Rectification"]) for r in rows] == [
        (ticket.pk, "Closed out", "No", "Done.")]
