"""The Simplified Chinese catalogue: complete, compiled, up to date with the code, and used.

The portal's msgids are English; zh-hans is the default language, so an untranslated or
fuzzy entry shows English to every Chinese user. When a test here fails because the code
gained strings, refresh the catalogue from the repository root and translate the new entries:

    python manage.py makemessages -l zh_Hans --no-obsolete -i .venv -i staticfiles -i node_modules
    # fill every empty msgstr, clear every "#, fuzzy" flag
    python manage.py compilemessages -l zh_Hans -i .venv
"""

from __future__ import annotations

import gettext as gnu_gettext
import os
import re
import shutil
import subprocess
import sys
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.utils import translation

REPO_ROOT = Path(__file__).resolve().parent.parent
LC_MESSAGES = REPO_ROOT / "locale" / "zh_Hans" / "LC_MESSAGES"
PO_FILE = LC_MESSAGES / "django.po"
MO_FILE = LC_MESSAGES / "django.mo"
MAKEMESSAGES_IGNORE = [".venv", "staticfiles", "node_modules"]

REFRESH_HINT = (
    "refresh the catalogue: python manage.py makemessages -l zh_Hans --no-obsolete -i .venv "
    "-i staticfiles -i node_modules, translate the new entries, then python manage.py "
    "compilemessages -l zh_Hans -i .venv"
)


# --- A small .po reader (polib is not a dependency) -------------------------------------------


@dataclass
class Entry:
    msgid: str = ""
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    line: int = 0

    @property
    def key(self) -> tuple[str | None, str]:
        return (self.msgctxt, self.msgid)


_ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\", "r": "\r"}


def _unquote(token: str) -> str:
    token = token.strip()
    assert token.startswith('"') and token.endswith('"'), f"not a quoted .po string: {token!r}"
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(1)), token[1:-1])


def parse_po(path: Path) -> tuple[Entry, list[Entry]]:
    """The header entry and the message entries of a .po file; obsolete (#~) entries are dropped."""
    entries: list[Entry] = []
    current: Entry | None = None
    target: tuple[str, int | None] | None = None

    def finish() -> None:
        nonlocal current, target
        if current is not None and (target is not None or current.msgid):
            entries.append(current)
        current, target = None, None

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            finish()
            continue
        if line.startswith("#~"):
            continue
        if line.startswith("#"):
            if current is not None and target is not None and target[0] == "msgstr":
                finish()
            current = current or Entry(line=number)
            if line.startswith("#,"):
                current.flags.update(f.strip() for f in line[2:].split(",") if f.strip())
            continue
        if line.startswith('"'):
            assert current is not None and target is not None, f"{path}:{number}: stray string"
            kind, index = target
            text = _unquote(line)
            if kind == "msgstr":
                current.msgstr[index] += text
            else:
                setattr(current, kind, getattr(current, kind) + text)
            continue
        keyword, _, rest = line.partition(" ")
        if keyword in ("msgctxt", "msgid") and current is not None and target is not None and target[0] == "msgstr":
            finish()
        current = current or Entry(line=number)
        match = re.fullmatch(r"msgstr\[(\d+)\]", keyword)
        if match:
            target = ("msgstr", int(match.group(1)))
            current.msgstr[target[1]] = _unquote(rest)
        elif keyword == "msgstr":
            target = ("msgstr", 0)
            current.msgstr[0] = _unquote(rest)
        elif keyword in ("msgid", "msgctxt", "msgid_plural"):
            target = (keyword, None)
            setattr(current, keyword, _unquote(rest))
        else:
            raise AssertionError(f"{path}:{number}: unexpected line {raw!r}")
    finish()

    header = next((e for e in entries if e.msgid == "" and e.msgctxt is None), None)
    assert header is not None, f"{path} has no header entry"
    return header, [e for e in entries if e is not header]


@pytest.fixture(scope="module")
def catalogue() -> tuple[Entry, list[Entry]]:
    if not PO_FILE.exists():
        pytest.fail(f"{PO_FILE.relative_to(REPO_ROOT)} is missing: {REFRESH_HINT}")
    return parse_po(PO_FILE)


def _where(entry: Entry) -> str:
    return f"django.po:{entry.line} {entry.msgid!r}"


# --- (a) complete and well-formed ------------------------------------------------------------


def test_the_catalogue_header_declares_simplified_chinese_with_one_plural_form(catalogue):
    header, _ = catalogue
    text = header.msgstr[0]

    assert "fuzzy" not in header.flags, "remove the '#, fuzzy' flag from the header"
    assert "Language: zh_Hans\n" in text
    assert "Plural-Forms: nplurals=1; plural=0;\n" in text
    assert "charset=UTF-8" in text


def test_every_message_is_translated_and_none_is_fuzzy(catalogue):
    _, entries = catalogue
    assert entries, "the catalogue holds no messages"

    fuzzy = [_where(e) for e in entries if "fuzzy" in e.flags]
    # zh has one plural form: msgstr[0] carries it.
    untranslated = [_where(e) for e in entries if not e.msgstr.get(0, "").strip()]

    assert not fuzzy, f"{len(fuzzy)} fuzzy entries (check the translation, drop the flag): {fuzzy}"
    assert not untranslated, f"{len(untranslated)} untranslated entries: {untranslated}"


_PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]|\{\w*\}")


def _placeholders(text: str) -> list[str]:
    return sorted(m.group(0) for m in _PLACEHOLDER.finditer(text))


def test_every_translation_keeps_the_placeholders_of_its_msgid(catalogue):
    _, entries = catalogue
    wrong = [
        f"{_where(entry)}: {_placeholders(entry.msgid)} → {_placeholders(text)} in {text!r}"
        for entry in entries
        for text in entry.msgstr.values()
        # An empty msgstr falls back to the msgid; the completeness test reports it.
        if text and _placeholders(text) != _placeholders(entry.msgid)
    ]

    assert not wrong, "placeholders differ between msgid and msgstr:\n" + "\n".join(wrong)


def test_msgfmt_checks_the_catalogue_and_finds_nothing_untranslated_or_fuzzy():
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        pytest.skip("msgfmt (GNU gettext) is not installed; the pure-Python checks above still ran")

    result = subprocess.run(
        [msgfmt, "--check", "--statistics", "-o", "/dev/null", str(PO_FILE)],
        capture_output=True, text=True, timeout=60, env={**os.environ, "LC_ALL": "C", "LANGUAGE": ""},
    )
    report = result.stdout + result.stderr

    assert result.returncode == 0, report
    assert "translated message" in report, report
    assert "untranslated" not in report, report
    assert "fuzzy" not in report, report


# --- (b) up to date with the code ------------------------------------------------------------

_COPY_IGNORE = shutil.ignore_patterns(
    ".*", "__pycache__", "*.pyc", "staticfiles", "node_modules", "media", "locale",
    "db.sqlite3*", "*.egg-info", "test-results", "build",
)

# Runs in a subprocess inside the temporary copy; refuses to write unless the settings there
# point at the copy, so the committed catalogue can never be overwritten.
_MAKEMESSAGES_SCRIPT = textwrap.dedent(
    """
    import os, sys
    from pathlib import Path
    root = Path(sys.argv[1]).resolve()
    sys.path.insert(0, str(root))
    os.chdir(root)
    os.environ["DJANGO_SETTINGS_MODULE"] = "wuqiang.settings"
    import django
    django.setup()
    from django.conf import settings
    locale_paths = [Path(p).resolve() for p in settings.LOCALE_PATHS]
    if not locale_paths or any(root not in p.parents for p in locale_paths):
        sys.exit(f"refusing to run: LOCALE_PATHS {locale_paths} are outside {root}")
    from django.core.management import call_command
    call_command("makemessages", locale=["zh_Hans"], no_obsolete=True,
                 ignore_patterns=sys.argv[2:], verbosity=0)
    """
)


def test_the_catalogue_holds_every_message_the_code_uses(catalogue, tmp_path):
    if shutil.which("xgettext") is None or shutil.which("msguniq") is None:
        pytest.skip("xgettext (GNU gettext) is not installed: makemessages cannot collect the code's messages")

    copy = tmp_path / "repo"
    shutil.copytree(REPO_ROOT, copy, ignore=_COPY_IGNORE)
    result = subprocess.run(
        [sys.executable, "-c", _MAKEMESSAGES_SCRIPT, str(copy), *MAKEMESSAGES_IGNORE],
        cwd=copy, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    fresh_po = copy / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
    assert fresh_po.exists(), f"makemessages wrote no catalogue: {result.stdout}{result.stderr}"

    _, fresh = parse_po(fresh_po)
    _, committed = catalogue
    committed_keys = {e.key for e in committed}
    missing = sorted(
        (e.msgid for e in fresh if e.key not in committed_keys), key=str.casefold
    )

    assert fresh, "makemessages collected no messages from the code"
    assert not missing, f"{len(missing)} messages in the code are not in django.po ({REFRESH_HINT}): {missing}"


# --- (c) compiled and used at run time ----------------------------------------------------------


def test_the_compiled_catalogue_matches_the_po_file(catalogue):
    if not MO_FILE.exists():
        pytest.fail(
            f"{MO_FILE.relative_to(REPO_ROOT)} is missing: run python manage.py compilemessages -l zh_Hans -i .venv"
        )
    _, entries = catalogue
    with MO_FILE.open("rb") as fh:
        compiled = gnu_gettext.GNUTranslations(fh)

    stale = []
    for entry in entries:
        if "fuzzy" in entry.flags or not entry.msgstr.get(0):
            continue  # msgfmt leaves these out; the completeness test reports them
        if entry.msgid_plural is not None:
            got = compiled.npgettext(entry.msgctxt, entry.msgid, entry.msgid_plural, 1) if entry.msgctxt \
                else compiled.ngettext(entry.msgid, entry.msgid_plural, 1)
        elif entry.msgctxt is not None:
            got = compiled.pgettext(entry.msgctxt, entry.msgid)
        else:
            got = compiled.gettext(entry.msgid)
        if got != entry.msgstr.get(0):
            stale.append(_where(entry))

    assert not stale, (
        f"django.mo is out of date with django.po for {len(stale)} entries "
        f"(run python manage.py compilemessages -l zh_Hans -i .venv): {stale[:20]}"
    )


_CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.mark.parametrize(
    ("msgid", "expected"),
    [
        ("Five Strong Organizations", "五强"),
        ("Strong organisational function", "组织功能强"),
        ("Strong talent team", "人才队伍强"),
        ("Strong collective economy", "集体经济强"),
        ("Strong governance", "治理能力强"),
        ("Strong support", "要素保障强"),
        ("Township clerk", "乡镇填报员"),
        ("County reviewer", "县级审核员"),
        ("Work board", None),
        ("Review queue", None),
        ("Draft", "草稿"),
        ("Submitted", "已提交"),
        ("Returned", "已退回"),
        ("division code", "区划代码"),
        ("Party members' meeting", "党员大会"),
    ],
)
def test_key_strings_are_chinese_in_zh_hans(msgid, expected):
    # Through a variable, so makemessages does not collect these msgids from this file.
    with translation.override("zh-hans"):
        text = str(translation.gettext(msgid))

    assert text != msgid
    assert _CJK.search(text), f"{msgid!r} → {text!r} has no Chinese"
    if expected:
        assert expected in text


def test_placeholders_survive_translation_at_run_time():
    msgid = "%(year)s assessment"
    with translation.override("zh-hans"):
        text = translation.gettext(msgid) % {"year": 2021}

    assert "2021" in text
    assert _CJK.search(text)


def test_english_stays_english():
    msgid = "Work board"
    with translation.override("en"):
        assert translation.gettext(msgid) == "Work board"
