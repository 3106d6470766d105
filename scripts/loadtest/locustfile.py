"""Deadline-day load on the portal: clerks open, save (with the entry's version) and submit
their villages' organisations sheets, reviewers approve, municipal staff watch dashboards.

Run by ``scripts/loadtest/run`` (which seeds, starts gunicorn and a Celery worker and checks the
database afterwards); the plan of who works on what comes from ``plan.py`` (LOADTEST_PLAN). Every
save the server accepted (302) is appended to LOADTEST_SAVES as one JSON line, for ``check.py``.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import sys
import threading
import uuid

from locust import HttpUser, between, task

sys.path.insert(0, os.path.dirname(__file__))
from helpers import csrf_token, form_fields, save_outcome, with_new_topic  # noqa: E402

YEAR = int(os.environ.get("LOADTEST_YEAR", "2022"))
PASSWORD = os.environ.get("DEMO_PASSWORD", "wuqiang-2021")
SAVE_EVERY_N_TO_SUBMIT = 4  # about one save in four is "save and submit"
_lock = threading.Lock()


def _plan() -> dict:
    with open(os.environ.get("LOADTEST_PLAN", "plan.json"), encoding="utf-8") as handle:
        return json.load(handle)


PLAN = _plan() if os.environ.get("LOADTEST_PLAN") else {"clerks": [], "reviewers": [], "municipal": []}
_clerk_slots = itertools.cycle(PLAN["clerks"] or [None])
_reviewer_slots = itertools.cycle(PLAN["reviewers"] or [None])


def log_save(record: dict) -> None:
    path = os.environ.get("LOADTEST_SAVES")
    if path:
        with _lock, open(path, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(record) + "\n")


class PortalUser(HttpUser):
    abstract = True
    wait_time = between(1, 3)
    username = ""

    def login(self, username: str) -> None:
        self.username = username
        page = self.client.get("/accounts/login/", name="login page")
        response = self.client.post("/accounts/login/", name="login", allow_redirects=False, data={
            "csrfmiddlewaretoken": csrf_token(page.text), "username": username, "password": PASSWORD})
        if response.status_code != 302:
            raise RuntimeError(f"login of {username} failed: {response.status_code}")


class Clerk(PortalUser):
    """A township clerk working through their villages' organisations sheets."""

    fixed_count = int(os.environ.get("LOADTEST_CLERKS", "50"))
    weight = 50

    def on_start(self) -> None:
        slot = next(_clerk_slots)
        self.login(slot["username"])
        self.villages = slot["villages"]

    @task
    def open_save_submit(self) -> None:
        code = random.choice(self.villages)
        url = f"/villages/{code}/{YEAR}/organizations/"
        page = self.client.get(url, name="open sheet")
        fields = form_fields(page.text)
        if "version" not in fields or "meeting-TOTAL_FORMS" not in fields:
            return  # submitted or approved meanwhile: nothing to change
        topic = f"负载 {uuid.uuid4().hex[:12]}"
        data, meeting_id = with_new_topic(fields, topic)
        submit = random.randrange(SAVE_EVERY_N_TO_SUBMIT) == 0
        data["then"] = "submit" if submit else "save"
        attempt = {"village": code, "year": YEAR, "meeting": meeting_id, "topic": topic,
                   "version": int(fields["version"]), "user": self.username}
        log_save({**attempt, "outcome": "sent"})  # its answer may never come (the run ends)
        # As a browser does, the redirect is followed: the page it shows says whether it was saved.
        with self.client.post(url, data=data, name="save and submit" if submit else "save",
                              headers={"Referer": self.host + url}, catch_response=True) as response:
            outcome = save_outcome(response.text) if response.history else None
            if response.status_code == 200 and outcome == "saved":
                response.success()
                log_save({**attempt, "outcome": "saved"})
            elif response.status_code == 409:
                response.success()  # someone saved first: the page says so, nothing is lost
                self.note("stale version refused (409)")
            elif response.status_code == 200 and outcome == "refused":
                response.success()  # submitted by the other clerk meanwhile: refused with a message
                self.note("refused: no longer editable")
            else:
                response.failure(f"save answered {response.status_code} ({outcome})")

    def note(self, name: str) -> None:
        self.environment.events.request.fire(request_type="REFUSED", name=name, response_time=0,
                                             response_length=0, exception=None, context={})


class Reviewer(PortalUser):
    """A county reviewer approving submitted sheets."""

    fixed_count = int(os.environ.get("LOADTEST_REVIEWERS", "5"))
    weight = 5

    def on_start(self) -> None:
        slot = next(_reviewer_slots)
        self.login(slot["username"])
        self.county, self.villages = slot["county"], slot["villages"]

    @task(3)
    def approve(self) -> None:
        code = random.choice(self.villages)
        page = self.client.get(f"/villages/{code}/{YEAR}/organizations/", name="open sheet (reviewer)")
        action = re.search(r'action="(/entries/\d+/approve/)"', page.text)
        if action is None:
            return
        data = {"csrfmiddlewaretoken": csrf_token(page.text) or ""}
        with self.client.post(action.group(1), data=data, name="approve", catch_response=True,
                              headers={"Referer": self.host + action.group(1)}) as response:
            outcome = save_outcome(response.text) if response.history else None
            if response.status_code == 200 and outcome in ("saved", "refused"):
                response.success()  # refused: approved by another reviewer of the county meanwhile
            else:
                response.failure(f"approve answered {response.status_code} ({outcome})")

    @task(1)
    def review_queue(self) -> None:
        self.client.get(f"/counties/{self.county}/review/", name="review queue")


class Municipal(PortalUser):
    """Municipal staff watching the city's dashboards."""

    fixed_count = int(os.environ.get("LOADTEST_MUNICIPAL", "3"))
    weight = 3

    def on_start(self) -> None:
        slot = PLAN["municipal"]
        self.login(slot["username"])
        self.municipality, self.counties = slot["municipality"], slot["counties"]

    @task(2)
    def city(self) -> None:
        self.client.get(f"/dashboard/municipalities/{self.municipality}/?year={YEAR}", name="city dashboard")

    @task(1)
    def county(self) -> None:
        self.client.get(f"/dashboard/counties/{random.choice(self.counties)}/?year={YEAR}",
                        name="county dashboard")
