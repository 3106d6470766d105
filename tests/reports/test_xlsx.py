"""The streamed sheet writer: what openpyxl reads back is what was appended, typed by column,
and text from users never becomes a formula."""

from __future__ import annotations

import datetime
import zipfile
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from wuqiang.reports.xlsx import Column, Kind, Styled, XlsxBook, display_width, sheet_title


def write(path, columns, rows, **options):
    with XlsxBook(path) as book:
        book.set_yes_no("yes", "no")
        sheet = book.sheet("Data", columns, **options)
        for row in rows:
            sheet.append(row)
        sheet.close()
        book.save()
    return load_workbook(path)


@pytest.mark.parametrize("text", ["=1+2", "=HYPERLINK(\"http://x\",\"x\")", "+SUM(A1:A2)", "-2+3", "@SUM(A1)",
                                  "\t=1", "\r=1"])
def test_text_that_looks_like_a_formula_is_written_as_quoted_text(tmp_path, text):
    workbook = write(tmp_path / "t.xlsx", [Column("note")], [[text]])

    cell = workbook["Data"]["A2"]
    assert cell.data_type == "s"
    assert cell.value == text
    assert cell.quotePrefix is True
    with zipfile.ZipFile(tmp_path / "t.xlsx") as archive:
        assert b"<f>" not in archive.read("xl/worksheets/sheet1.xml")


def test_ordinary_text_has_no_quote_prefix_and_keeps_its_spaces_and_markup_characters(tmp_path):
    workbook = write(tmp_path / "t.xlsx", [Column("a"), Column("b"), Column("c")],
                     [["遵义市", " a < b & c > d ", "bad\x00\x07char"]])

    a, b, c = workbook["Data"]["A2"], workbook["Data"]["B2"], workbook["Data"]["C2"]
    assert (a.value, a.quotePrefix) == ("遵义市", False)
    assert b.value == " a < b & c > d "
    # Characters XML cannot carry are dropped rather than breaking the file.
    assert c.value == "badchar"


def test_columns_type_their_cells_numbers_dates_and_converted_text(tmp_path):
    columns = [Column("n", Kind.NUMBER, "money"), Column("i", Kind.NUMBER, "int"), Column("d", Kind.DATE, "date"),
               Column("flag", Kind.TEXT, convert=lambda v: "是" if v else "否"), Column("any", Kind.ANY)]
    workbook = write(tmp_path / "t.xlsx", columns, [
        [Decimal("68000.00"), 1728, datetime.date(2021, 3, 5), True, Styled(Decimal("0.9873"), "percent")],
        [1.5, None, None, False, "text"],
    ])

    sheet = workbook["Data"]
    assert (sheet["A2"].value, sheet["A2"].number_format) == (68000, "#,##0.00")
    assert (sheet["B2"].value, sheet["B2"].number_format) == (1728, "#,##0")
    assert (sheet["C2"].value, sheet["C2"].number_format) == (datetime.datetime(2021, 3, 5), "yyyy-mm-dd")
    assert [sheet["D2"].value, sheet["D3"].value] == ["是", "否"]
    assert (sheet["E2"].value, sheet["E2"].number_format) == (0.9873, "0.00%")
    assert sheet["B3"].value is None and sheet["C3"].value is None
    assert sheet["E3"].value == "text"


def test_a_sheet_has_a_bold_frozen_filtered_header_and_prints_landscape_fitted_to_the_width(tmp_path):
    workbook = write(tmp_path / "t.xlsx", [Column("code"), Column("name")], [["520302", "红花岗区"]], freeze="B2")

    sheet = workbook["Data"]
    assert sheet["A1"].value == "code" and sheet["A1"].font.b
    assert sheet.freeze_panes == "B2"
    assert sheet.auto_filter.ref == "A1:B2"
    assert sheet.print_title_rows == "$1:$1"
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.page_setup.fitToWidth == 1
    assert sheet.sheet_properties.pageSetUpPr.fitToPage is True


def test_columns_are_as_wide_as_their_widest_sampled_value(tmp_path):
    workbook = write(tmp_path / "t.xlsx", [Column("c"), Column("wide")], [["1", "道真仡佬族苗族自治县"]])

    sheet = workbook["Data"]
    assert sheet.column_dimensions["A"].width < sheet.column_dimensions["B"].width
    assert sheet.column_dimensions["B"].width == display_width("道真仡佬族苗族自治县") + 2


def test_rows_past_the_row_limit_continue_on_a_new_sheet_with_the_header(tmp_path):
    workbook = write(tmp_path / "t.xlsx", [Column("n", Kind.NUMBER, "int")], [[i] for i in range(7)], max_rows=3)

    assert workbook.sheetnames == ["Data", "Data (2)", "Data (3)", "Data (4)"]
    values = [[cell.value for cell in row] for title in workbook.sheetnames for row in workbook[title].iter_rows()]
    assert values == [["n"], [0], [1], ["n"], [2], [3], ["n"], [4], [5], ["n"], [6]]


def test_sheet_titles_are_valid_unique_and_at_most_31_characters():
    taken = ["Summary"]

    assert sheet_title("a/b:c*d?[e]", taken) == "a_b_c_d__e_"
    assert sheet_title("summary", taken) == "summary (2)"
    assert len(sheet_title("x" * 40, taken)) == 31


def test_a_failed_build_leaves_no_temporary_files(tmp_path):
    with pytest.raises(RuntimeError), XlsxBook(tmp_path / "t.xlsx") as book:
        sheet = book.sheet("Data", [Column("a")])
        sheet.append(["x"])
        temporary = book._tmp.name
        raise RuntimeError("boom")

    import os

    assert not os.path.exists(temporary)
