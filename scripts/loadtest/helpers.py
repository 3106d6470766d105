"""The load test's helpers that need no locust (locust patches the standard library on import):
reading the sheet page's form as a browser posts it, and changing a meeting's topic in it."""

from __future__ import annotations

import os
import re
from html.parser import HTMLParser

YEAR = int(os.environ.get("LOADTEST_YEAR", "2022"))


class SheetForm(HTMLParser):
    """The fields a browser would post from the page's ``<form id="sheet-form">``."""

    def __init__(self, form_id: str = "sheet-form") -> None:
        super().__init__(convert_charrefs=True)
        self.form_id, self.inside, self.fields = form_id, False, {}
        self._select: str | None = None
        self._select_first: str | None = None
        self._textarea: str | None = None
        self._template = 0

    def handle_starttag(self, tag: str, attrs_list) -> None:
        attrs = dict(attrs_list)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
        if not self.inside:
            return
        if tag == "template":
            self._template += 1
        if self._template:
            return  # the blank row "Add a row" clones, not posted
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    self.fields[name] = attrs.get("value", "on")
            elif kind not in ("submit", "button", "file"):
                self.fields[name] = attrs.get("value") or ""
        elif tag == "select" and name:
            self._select, self._select_first = name, None
        elif tag == "option" and self._select:
            value = attrs.get("value", "")
            if self._select_first is None:
                self._select_first = value
                self.fields.setdefault(self._select, value)
            if "selected" in attrs:
                self.fields[self._select] = value
        elif tag == "textarea" and name:
            self._textarea = name
            self.fields[name] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        elif tag == "template" and self._template:
            self._template -= 1
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea and self.inside:
            self.fields[self._textarea] += data.removeprefix("\n") if not self.fields[self._textarea] else data


def form_fields(html: str, form_id: str = "sheet-form") -> dict[str, str]:
    parser = SheetForm(form_id)
    parser.feed(html)
    return parser.fields


def csrf_token(html: str) -> str | None:
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    return found.group(1) if found else None


def with_new_topic(fields: dict[str, str], topic: str, year: int = YEAR) -> tuple[dict[str, str], str | None]:
    """The posted form with the first stored meeting's topic changed, or a meeting added.
    Returns the data and the id of the changed meeting (None when one was added)."""
    data = dict(fields)
    if data.get("meeting-0-id"):
        data["meeting-0-topic"] = topic
        return data, data["meeting-0-id"]
    index = max(int(data.get("meeting-TOTAL_FORMS") or 1) - 1, 0)  # the blank row the page offers
    data.update({f"meeting-{index}-date": f"{year}-06-01", f"meeting-{index}-kind": "group",
                 f"meeting-{index}-topic": topic, f"meeting-{index}-attendance": "3"})
    return data, None


_MESSAGE = re.compile(r'<div class="alert alert-(\w+) alert-dismissible')


def save_outcome(html: str) -> str:
    """What the page a save redirected to says: "saved" ("Saved.", "Saved and submitted", or
    "Saved, but not submitted"), "refused" (an error message: the sheet can no longer be
    changed) or "unknown" (no message)."""
    kinds = set(_MESSAGE.findall(html))
    if "danger" in kinds:
        return "refused"
    if kinds & {"success", "warning"}:
        return "saved"
    return "unknown"
