"""After a load test: look for lost updates in the database and print the figures.

    python scripts/loadtest/check.py SAVES.jsonl STATS_PREFIX

A lost update is a save the server accepted (302) whose value is neither the stored one nor
superseded by a later accepted save of the same entry (a higher version): two accepted saves
from the same version, a save missing from the entry's history, or a stored topic that is not the
one of the entry's last accepted save. Prints throughput, p50/p95 per action and errors from
locust's CSV files (STATS_PREFIX_stats.csv, _failures.csv). Exits 1 on any lost update or error.
"""

from __future__ import annotations

import csv
import json
import os
import sys
from collections import defaultdict

import django

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", ".."))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wuqiang.settings")


def lost_updates(saves: list[dict]) -> list[str]:
    """The problems found, one line each (empty when nothing was lost). ``saves`` holds every
    save sent (outcome "sent") and those the server accepted (outcome "saved"; a line without an
    outcome is an accepted save)."""
    from organizations.models import Meeting
    from wuqiang.entries.models import Change, Entry

    problems = []
    by_entry: dict[tuple[str, int], list[dict]] = defaultdict(list)
    for save in saves:
        by_entry[(save["village"], save["year"])].append(save)
    for (village, year), entry_saves in by_entry.items():
        accepted = [s for s in entry_saves if s.get("outcome", "saved") == "saved"]
        sent = {s["topic"]: s for s in entry_saves}
        if not accepted:
            continue
        entry = Entry.objects.filter(village__code=village, year_id=year, pillar="organizations").first()
        if entry is None:
            problems.append(f"{village}: no entry for {len(accepted)} accepted saves")
            continue
        versions = [s["version"] for s in accepted]
        for version in sorted({v for v in versions if versions.count(v) > 1}):
            problems.append(f"{village}: {versions.count(version)} saves accepted from version {version}")
        topics_in_history = set()
        for changes in Change.objects.filter(entry=entry, object_type="organizations.meeting").values_list(
                "changes", flat=True):
            old_new = (changes or {}).get("topic")
            if isinstance(old_new, list) and len(old_new) == 2:
                topics_in_history.add(old_new[1])
        for save in accepted:
            if save["topic"] not in topics_in_history:
                problems.append(f"{village}: the save of {save['topic']!r} (version {save['version']}) "
                                f"is not in the history")
        last = max(accepted, key=lambda s: s["version"])
        first_meeting = Meeting.objects.filter(entry=entry).order_by("pk").first()
        stored = first_meeting.topic if first_meeting else None
        # The stored value is the last accepted save's, or that of a save sent from a later
        # version whose answer never came back before the run ended (it superseded the last one).
        later = sent.get(stored)
        if stored != last["topic"] and not (later and later["version"] > last["version"]):
            problems.append(f"{village}: stored topic {stored!r}, last accepted save {last['topic']!r}")
        if entry.version <= last["version"]:
            problems.append(f"{village}: version {entry.version} not above the last save's {last['version']}")
    return problems


def figures(prefix: str) -> tuple[list[str], int]:
    lines, errors = [], 0
    with open(f"{prefix}_stats.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    lines.append(f"{'action':<34} {'requests':>8} {'failures':>8} {'req/s':>6} {'p50 ms':>7} {'p95 ms':>7}")
    for row in rows:
        name = row["Name"] if row["Name"] != "Aggregated" else "ALL (aggregated)"
        lines.append(f"{name[:34]:<34} {row['Request Count']:>8} {row['Failure Count']:>8} "
                     f"{float(row['Requests/s']):>6.1f} {row['50%']:>7} {row['95%']:>7}")
        if row["Name"] == "Aggregated":
            errors = int(row["Failure Count"])
    failures = f"{prefix}_failures.csv"
    if os.path.exists(failures):
        with open(failures, encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                lines.append(f"  error: {row['Method']} {row['Name']}: {row['Error']} × {row['Occurrences']}")
    return lines, errors


def main(saves_path: str, prefix: str) -> int:
    django.setup()
    saves = []
    if os.path.exists(saves_path):
        with open(saves_path, encoding="utf-8") as handle:
            saves = [json.loads(line) for line in handle if line.strip()]
    lines, errors = figures(prefix)
    print("\n".join(lines))
    problems = lost_updates(saves)
    accepted = [s for s in saves if s.get("outcome", "saved") == "saved"]
    entries = len({(s["village"], s["year"]) for s in accepted})
    unanswered = len(saves) - 2 * len(accepted) if any("outcome" in s for s in saves) else 0
    print(f"accepted saves: {len(accepted)} on {entries} sheets; sent and refused or unanswered at the end: "
          f"{max(unanswered, 0)}; errors: {errors}; lost updates: {len(problems)}")
    for problem in problems[:50]:
        print(f"  lost update: {problem}")
    return 1 if problems or errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
