"""The operators' commands: export_report, and the pieces of benchmark_report that replay a
report's cells without a database."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation
from openpyxl import load_workbook

from tests.reports.conftest import YEAR, read, table
from wuqiang.reports import selectors
from wuqiang.reports.management.commands.benchmark_report import (
    Recorder,
    replay_with_openpyxl,
    replay_with_row_writer,
)
from wuqiang.reports.workbook import build_report

pytestmark = pytest.mark.django_db


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_export_report_writes_the_only_municipalitys_report(scored, tmp_path):
    out = io.StringIO()

    call_command("export_report", "--year", str(YEAR), "--output", str(tmp_path / "city.xlsx"), "--lang", "en",
                 stdout=out)

    workbook = read(tmp_path / "city.xlsx")
    assert len(table(workbook, "Villages")) == 5
    assert "League table of counties" in workbook.sheetnames
    assert "19 sheets" in out.getvalue()  # 18 before issue 18 added the path to the next grade


def test_export_report_takes_any_units_code_and_draws_a_progress_bar_on_a_terminal(scored, tmp_path):
    out = Terminal()

    call_command("export_report", "--year", str(YEAR), "--scope", "520302001", "--output",
                 str(tmp_path / "a.xlsx"), "--lang", "zh-hans", stdout=out)

    assert "\r[" in out.getvalue() and "100%" in out.getvalue()
    workbook = load_workbook(tmp_path / "a.xlsx", read_only=True)
    villages = list(workbook.worksheets[1].iter_rows(values_only=True))  # no league tables below a township
    assert [row[0] for row in villages[1:]] == ["520302001201", "520302001202", "520302001203"]


@pytest.mark.parametrize(("arguments", "message"), [
    (["--year", "1999"], "no 1999 assessment year"),
    (["--year", str(YEAR), "--scope", "999999"], "No municipality, county, township or village"),
    (["--year", str(YEAR), "--output", "report.csv"], "must name an .xlsx file"),
])
def test_export_report_refuses_what_it_cannot_do(scored, tmp_path, arguments, message):
    arguments = ["--output", str(tmp_path / "r.xlsx"), *arguments]

    with pytest.raises(CommandError, match=message):
        call_command("export_report", *arguments, stdout=io.StringIO())


def test_the_benchmark_replays_the_same_rows_through_both_writers(scored, tmp_path):
    recorder = Recorder()
    operator = selectors.Operator()
    with translation.override("en"):
        build_report(actor=operator, unit=selectors.visible_unit_or_404(operator, "520300"), year=YEAR,
                     output=str(tmp_path / "report.xlsx"), tap=recorder)

    ours = replay_with_row_writer(recorder.sheets, tmp_path / "ours.xlsx")
    stock = replay_with_openpyxl(recorder.sheets, tmp_path / "stock.xlsx")

    assert ours.seconds > 0 and stock.cpu > 0
    original = read(tmp_path / "report.xlsx")
    for replayed in (read(tmp_path / "ours.xlsx"), read(tmp_path / "stock.xlsx")):
        for title, sheet in zip(original.sheetnames, recorder.sheets, strict=True):
            assert replayed[sheet.title[:31]].max_row == original[title].max_row, title
    villages = next(s for s in recorder.sheets if s.title == "Villages")
    assert villages.count == 5 and villages.cells > 300
