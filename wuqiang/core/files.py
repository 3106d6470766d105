"""Upload and download safety, shared by the Excel import and ticket attachments.

Uploads: ``check_upload`` decides what a file is from its first bytes (never from its name
or the browser's content type), refuses what the caller does not accept, refuses files over
the size limit before reading them, and opens an .xlsx only as far as needed to refuse macro
workbooks, zip bombs (too many entries, too much uncompressed data, extreme compression) and
entries whose names climb out of the archive. Call it before handing the file to openpyxl or
storing it; it rewinds the file when it accepts it.

Downloads: ``attachment_response`` always downloads (``Content-Disposition: attachment``),
tells the browser not to guess the type (``X-Content-Type-Options: nosniff``) and sandboxes
the response should a browser render it anyway. ``spreadsheet_safe`` keeps user text from
becoming a formula in a CSV or spreadsheet cell.
"""

from __future__ import annotations

import enum
import re
import unicodedata
import zipfile
from typing import IO, Any

from defusedxml import ElementTree
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.utils.translation import gettext_lazy as _


class FileKind(enum.Enum):
    XLSX = "xlsx"
    PDF = "pdf"
    PNG = "png"
    JPEG = "jpeg"


CONTENT_TYPES = {
    FileKind.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    FileKind.PDF: "application/pdf",
    FileKind.PNG: "image/png",
    FileKind.JPEG: "image/jpeg",
}
_LABELS = {FileKind.XLSX: "Excel (.xlsx)", FileKind.PDF: "PDF", FileKind.PNG: "PNG", FileKind.JPEG: "JPEG"}

_ZIP_MAGIC = b"PK\x03\x04"
_MAGIC = [
    (b"%PDF-", FileKind.PDF),
    (b"\x89PNG\r\n\x1a\n", FileKind.PNG),
    (b"\xff\xd8\xff", FileKind.JPEG),
]

# An import template for a township is a few hundred kilobytes of XML in a dozen entries;
# these bounds leave room for a province-sized sheet and still stop a bomb early.
XLSX_MAX_ENTRIES = 1000
XLSX_MAX_UNCOMPRESSED = 64 * 1024 * 1024
XLSX_MAX_RATIO = 200
_CONTENT_TYPES_MAX = 1024 * 1024
_WORKBOOK_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
_DRIVE = re.compile(r"^[A-Za-z]:")


def _refuse(message, code: str, **params: Any) -> ValidationError:
    return ValidationError(message, code=code, params=params or None)


def sniff(head: bytes) -> FileKind | None:
    """What the first bytes say the file is; a zip counts as .xlsx until ``check_xlsx`` says not."""
    if head.startswith(_ZIP_MAGIC):
        return FileKind.XLSX
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    return None


def _size(fileobj: IO[bytes]) -> int:
    size = getattr(fileobj, "size", None)
    if size is None:
        position = fileobj.tell()
        fileobj.seek(0, 2)
        size = fileobj.tell()
        fileobj.seek(position)
    return size


def check_upload(fileobj: IO[bytes], *, allowed: set[FileKind] | frozenset[FileKind],
                 max_bytes: int | None = None) -> FileKind:
    """The kind of an uploaded file, or ValidationError with a message for the user.

    ``fileobj`` is an UploadedFile or any seekable binary file; it is rewound on success.
    """
    limit = settings.UPLOAD_MAX_BYTES if max_bytes is None else max_bytes
    size = _size(fileobj)
    if size == 0:
        raise _refuse(_("The file is empty."), "empty")
    if size > limit:
        raise _refuse(_("The file is %(size)s MB; the limit is %(limit)s MB."), "too_large",
                      size=f"{size / 1048576:.1f}", limit=f"{limit / 1048576:.1f}")
    fileobj.seek(0)
    kind = sniff(fileobj.read(16))
    fileobj.seek(0)
    if kind not in allowed:
        raise _refuse(_("This file's content is not of an accepted type (%(accepted)s)."), "wrong_type",
                      accepted=", ".join(sorted(_LABELS[k] for k in allowed)))
    if kind is FileKind.XLSX:
        check_xlsx(fileobj)
        fileobj.seek(0)
    return kind


def _unsafe_name(name: str) -> bool:
    parts = name.replace("\\", "/").split("/")
    return (
        name.startswith(("/", "\\")) or "\\" in name or "\x00" in name or bool(_DRIVE.match(name))
        or any(part in ("..", ".") for part in parts)
    )


def check_xlsx(fileobj: IO[bytes], *, max_entries: int = XLSX_MAX_ENTRIES,
               max_uncompressed: int = XLSX_MAX_UNCOMPRESSED, max_ratio: int = XLSX_MAX_RATIO) -> None:
    """Refuse a zip that is not a plain, macro-free Excel workbook of sane proportions.

    Only the central directory and ``[Content_Types].xml`` are read. Declared sizes are
    trustworthy enough: Python's zipfile never inflates an entry past its declared size.
    """
    try:
        archive = zipfile.ZipFile(fileobj)
    except (zipfile.BadZipFile, OSError, ValueError):
        raise _refuse(_("The file is not a readable Excel workbook."), "corrupt") from None
    with archive:
        entries = archive.infolist()
        if len(entries) > max_entries:
            raise _refuse(_("The workbook holds too many parts (%(count)s)."), "zip_bomb", count=len(entries))
        if sum(e.file_size for e in entries) > max_uncompressed:
            raise _refuse(_("The workbook is too large once unpacked."), "zip_bomb")
        for entry in entries:
            if _unsafe_name(entry.filename):
                raise _refuse(_("The workbook contains a part with an unsafe name."), "unsafe_path")
            if entry.flag_bits & 0x1:
                raise _refuse(_("Encrypted workbooks are not accepted."), "encrypted")
            if entry.file_size > max_ratio * max(entry.compress_size, 1) and entry.file_size > 1024 * 1024:
                raise _refuse(_("The workbook is too large once unpacked."), "zip_bomb")
        names = {e.filename for e in entries}
        if "xl/vbaProject.bin" in names:
            raise _refuse(_("Workbooks with macros (.xlsm) are not accepted; save it as .xlsx."), "macro")
        try:
            info = archive.getinfo("[Content_Types].xml")
        except KeyError:
            raise _refuse(_("The file is not a readable Excel workbook."), "corrupt") from None
        if info.file_size > _CONTENT_TYPES_MAX:
            raise _refuse(_("The file is not a readable Excel workbook."), "corrupt")
        try:
            root = ElementTree.fromstring(archive.read(info))
        except Exception:  # defusedxml refuses entities and DTDs; any parse failure is a refusal
            raise _refuse(_("The file is not a readable Excel workbook."), "corrupt") from None
    content_types = {el.get("ContentType", "") for el in root.iter() if el.get("ContentType")}
    if any("macroEnabled" in t or "vbaProject" in t for t in content_types):
        raise _refuse(_("Workbooks with macros (.xlsm) are not accepted; save it as .xlsx."), "macro")
    if _WORKBOOK_TYPE not in content_types:
        raise _refuse(_("The file is not a readable Excel workbook."), "not_workbook")


def safe_filename(name: str, *, default: str = "download") -> str:
    """A file name without directories, control characters or characters Windows refuses."""
    name = unicodedata.normalize("NFC", name).replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C" and ch not in '<>:"|?*')
    name = name.strip(" .")
    return name[:150] or default


def attachment_response(fileobj: IO[bytes], *, filename: str, kind: FileKind | None = None) -> FileResponse:
    """A download that the browser saves, never renders or sniffs."""
    content_type = CONTENT_TYPES[kind] if kind else "application/octet-stream"
    response = FileResponse(fileobj, as_attachment=True, filename=safe_filename(filename),
                            content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def spreadsheet_safe(value: Any) -> Any:
    """User text for a CSV or spreadsheet cell: a leading quote keeps ``=cmd|…`` from being a formula."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value
