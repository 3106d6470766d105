"""Upload and download safety (wuqiang/core/files.py): the file's kind comes from its content,
workbooks are refused if they carry macros, bombs or path tricks, and downloads are attachments
the browser may not sniff."""

from __future__ import annotations

import io
import zipfile

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from wuqiang.core.files import (
    FileKind,
    attachment_response,
    check_upload,
    check_xlsx,
    safe_filename,
    sniff,
    spreadsheet_safe,
)

XLSX_ONLY = {FileKind.XLSX}
ATTACHMENTS = {FileKind.PDF, FileKind.PNG, FileKind.JPEG}
PDF = b"%PDF-1.7\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 32


def workbook_bytes() -> bytes:
    book = openpyxl.Workbook()
    book.active.append(["village", "operating income"])
    book.active.append(["520302001200", 12.5])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def rezip(source: bytes, *, replace: dict[str, bytes] | None = None, add: dict[str, bytes] | None = None,
          compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    """A copy of the zip ``source`` with some entries replaced and others added."""
    replace, add = replace or {}, add or {}
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(source)) as old, zipfile.ZipFile(out, "w", compression) as new:
        for info in old.infolist():
            new.writestr(info.filename, replace.get(info.filename, old.read(info)))
        for name, data in add.items():
            new.writestr(name, data)
    return out.getvalue()


def upload(data: bytes, name: str = "upload.bin") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def refusal(data: bytes, allowed=XLSX_ONLY, **kwargs) -> str:
    with pytest.raises(ValidationError) as refused:
        check_upload(upload(data), allowed=allowed, **kwargs)
    return refused.value.code


# --- What a file is ----------------------------------------------------------------------------


@pytest.mark.parametrize(("head", "kind"), [
    (b"PK\x03\x04rest", FileKind.XLSX), (PDF, FileKind.PDF), (PNG, FileKind.PNG), (JPEG, FileKind.JPEG),
    (b"GIF89a", None), (b"<html>", None), (b"", None),
])
def test_the_kind_comes_from_the_first_bytes(head, kind):
    assert sniff(head) is kind


def test_a_real_workbook_is_accepted_and_rewound():
    data = upload(workbook_bytes(), "村级数据.xlsx")

    assert check_upload(data, allowed=XLSX_ONLY) is FileKind.XLSX
    assert data.tell() == 0
    assert openpyxl.load_workbook(data, read_only=True).active["B2"].value == 12.5


@pytest.mark.parametrize(("data", "kind"), [(PDF, FileKind.PDF), (PNG, FileKind.PNG), (JPEG, FileKind.JPEG)])
def test_attachments_are_accepted_by_content(data, kind):
    assert check_upload(upload(data, "whatever.txt"), allowed=ATTACHMENTS) is kind


def test_a_file_named_xlsx_that_is_not_one_is_refused():
    assert refusal(b"<html><script>alert(1)</script></html>") == "wrong_type"


def test_a_pdf_is_refused_where_only_workbooks_are_accepted():
    assert refusal(PDF) == "wrong_type"


def test_a_workbook_is_refused_where_only_attachments_are_accepted():
    assert refusal(workbook_bytes(), allowed=ATTACHMENTS) == "wrong_type"


def test_empty_and_oversized_files_are_refused_before_reading():
    assert refusal(b"") == "empty"
    assert refusal(workbook_bytes(), max_bytes=1000) == "too_large"


def test_the_default_size_limit_comes_from_the_settings(settings):
    settings.UPLOAD_MAX_BYTES = 100

    assert refusal(PDF + b"x" * 200, allowed=ATTACHMENTS) == "too_large"


# --- Workbooks: macros, bombs, path tricks ----------------------------------------------------


def test_a_macro_workbook_is_refused_by_its_content_type():
    source = workbook_bytes()
    with zipfile.ZipFile(io.BytesIO(source)) as book:
        types = book.read("[Content_Types].xml").decode()
    xlsm_types = types.replace("spreadsheetml.sheet.main+xml", "ms-excel.sheet.macroEnabled.main+xml")

    assert refusal(rezip(source, replace={"[Content_Types].xml": xlsm_types.encode()})) == "macro"


def test_a_workbook_carrying_a_vba_project_is_refused():
    assert refusal(rezip(workbook_bytes(), add={"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0"})) == "macro"


def test_a_zip_that_is_not_a_workbook_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", '<Types xmlns="http://schemas.openxmlformats.org/package/2006/'
                         'content-types"><Override PartName="/word/document.xml" ContentType="application/'
                         'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>')
        archive.writestr("word/document.xml", "<w/>")

    assert refusal(out.getvalue()) == "not_workbook"


def test_too_many_entries_are_refused():
    padded = rezip(workbook_bytes(), add={f"xl/media/pad{n}.bin": b"x" for n in range(1000)})

    assert refusal(padded) == "zip_bomb"


def test_too_much_data_once_unpacked_is_refused():
    with pytest.raises(ValidationError) as refused:
        check_xlsx(io.BytesIO(rezip(workbook_bytes(), add={"xl/media/big.bin": b"\0" * 300_000})),
                   max_uncompressed=200_000)

    assert refused.value.code == "zip_bomb"


def test_an_entry_compressed_beyond_any_real_workbook_is_refused():
    bomb = rezip(workbook_bytes(), add={"xl/worksheets/sheet9.xml": b"\0" * (8 * 1024 * 1024)})

    assert refusal(bomb) == "zip_bomb"


@pytest.mark.parametrize("name", ["../../etc/cron.d/evil", "/etc/passwd", "xl\\..\\..\\evil.xml", "C:evil.xml",
                                  "xl/./../../evil.xml"])
def test_entries_that_climb_out_of_the_archive_are_refused(name):
    assert refusal(rezip(workbook_bytes(), add={name: b"<x/>"})) == "unsafe_path"


def test_an_encrypted_entry_is_refused():
    data = bytearray(rezip(workbook_bytes(), compression=zipfile.ZIP_STORED))
    # Set the "encrypted" flag bit in every central-directory record (signature PK\x01\x02).
    start = 0
    while (start := data.find(b"PK\x01\x02", start)) != -1:
        data[start + 8] |= 0x01
        start += 4

    assert refusal(bytes(data)) == "encrypted"


def test_an_entity_bomb_in_the_content_types_is_refused():
    bomb = (b'<?xml version="1.0"?><!DOCTYPE t [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>'
            b'<Types>&b;</Types>')

    assert refusal(rezip(workbook_bytes(), replace={"[Content_Types].xml": bomb})) == "corrupt"


def test_a_truncated_zip_is_refused():
    assert refusal(workbook_bytes()[:200]) == "corrupt"


def test_refusals_carry_a_message_for_the_user():
    with pytest.raises(ValidationError) as refused:
        check_upload(upload(b"", "x.xlsx"), allowed=XLSX_ONLY)

    assert str(refused.value.messages[0])


# --- Downloads ---------------------------------------------------------------------------------


def test_a_download_is_an_attachment_the_browser_may_not_sniff_or_render():
    response = attachment_response(io.BytesIO(workbook_bytes()), filename="遵义市 2021 报表.xlsx",
                                   kind=FileKind.XLSX)

    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"].startswith("attachment; filename*=utf-8''")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]


def test_an_unknown_kind_downloads_as_octet_stream():
    response = attachment_response(io.BytesIO(b"data"), filename="notes.html")

    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"] == 'attachment; filename="notes.html"'


@pytest.mark.parametrize(("name", "safe"), [
    ("../../etc/passwd", "passwd"), ("C:\\Users\\x\\报表.xlsx", "报表.xlsx"),
    ("a\r\nSet-Cookie: x.pdf", "aSet-Cookie x.pdf"),
    ('bad<>:"|?*name.pdf', "badname.pdf"), ("...", "download"), ("", "download"),
])
def test_download_names_lose_directories_and_dangerous_characters(name, safe):
    assert safe_filename(name) == safe


@pytest.mark.parametrize(("value", "cell"), [
    ("=1+2", "'=1+2"), ("+SUM(A1)", "'+SUM(A1)"), ("-2+3", "'-2+3"), ("@cmd", "'@cmd"), ("\t=x", "'\t=x"),
    ("普通文本", "普通文本"), ("a=b", "a=b"), (42, 42), (None, None),
])
def test_spreadsheet_cells_never_start_a_formula(value, cell):
    assert spreadsheet_safe(value) == cell
