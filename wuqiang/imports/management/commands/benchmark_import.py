"""``manage.py benchmark_import``: time an Excel upload from the file to the applied data.

Builds a synthetic township (20 villages by default) in a transaction that is rolled back at
the end, so nothing stays in the database. Then:

1. downloads the organisations template, fills it with openpyxl (each village's branch
   profile and 40 meetings), and times upload → check → preview → apply as the pages run
   them (``batch_upload``, ``batch_check``, ``batch_confirm``), printing wall and CPU seconds
   and the peak memory of the Python allocations (tracemalloc, a second run) and of the
   process (maximum resident set);
2. times a 5 MB file: random bytes named .xlsx (refused by the type check), and a real
   template grown to 5 MB with meetings (checked whole, and refused or ready).
"""

from __future__ import annotations

import datetime
import os
import random
import resource
import tempfile
import time
import tracemalloc
from io import BytesIO
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand
from django.db import transaction
from django.test import override_settings
from django.utils import translation
from openpyxl import load_workbook

from wuqiang.accounts.models import Role, User
from wuqiang.entries.registry import get_sheet
from wuqiang.imports import services
from wuqiang.imports.models import BatchState
from wuqiang.regions.models import AssessmentYear, County, Municipality, Township, Village

TOPIC = "学习贯彻党的二十大精神专题组织生活会并开展批评与自我批评"


class Rollback(Exception):
    pass


def _timed(function, *args: Any, **kwargs: Any) -> tuple[Any, float, float]:
    started, cpu = time.perf_counter(), time.process_time()
    result = function(*args, **kwargs)
    return result, time.perf_counter() - started, time.process_time() - cpu


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Command(BaseCommand):
    help = "Time an Excel upload (20 villages × 40 meetings by default) and a 5 MB file."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--villages", type=int, default=20)
        parser.add_argument("--meetings", type=int, default=40)
        parser.add_argument("--big-mb", type=float, default=5.0)
        parser.add_argument("--year", type=int, default=2021)
        parser.add_argument("--big-max-rows", type=int, default=None,
                            help="rows of the big template (default: just under IMPORT_MAX_ROWS)")

    def handle(self, *args: Any, **options: Any) -> None:
        with tempfile.TemporaryDirectory() as media, override_settings(MEDIA_ROOT=media), \
                translation.override("zh-hans"):
            try:
                with transaction.atomic():
                    self._run(options)
                    raise Rollback
            except Rollback:
                pass
        self.stdout.write("(the synthetic township was rolled back)")

    # --- setup ----------------------------------------------------------------------------------
    def _place(self, villages: int, year: int):
        municipality = Municipality.objects.create(code="990000", name="基准测试市")
        county = County.objects.create(code="990001", name="基准测试县", municipality=municipality)
        township = Township.objects.create(code="990001001", name="基准测试镇", county=county)
        for i in range(villages):
            Village.objects.create(code=f"990001001{200 + i:03d}", name=f"基准{i + 1}村", township=township)
        assessment_year, _created = AssessmentYear.objects.get_or_create(year=year)
        clerk = User.objects.create(username="benchmark-import-clerk", role=Role.CLERK, township=township)
        return township, assessment_year, clerk

    def _filled(self, clerk, township, year, meetings: int, topic_length: int = 0) -> bytes:
        sheet = get_sheet("organizations")
        output = BytesIO()
        services.template_build(actor=clerk, township=township, year=year, sheet=sheet, output=output)
        workbook = load_workbook(BytesIO(output.getvalue()))
        profile, meeting_ws = workbook.worksheets[1], workbook.worksheets[2]
        headers = {c.value: c.column for c in profile[1]}
        values = {"组织类型": "党支部", "党员数": 60, "户数": 400, "网格（村民组）数": 8}
        codes = []
        for row in profile.iter_rows(min_row=2):
            codes.append(row[0].value)
            for header, value in values.items():
                profile.cell(row[0].row, headers[header], value)
        kinds = ["党员大会", "支委会", "党小组会", "党课", "主题党日"]
        r = 2
        rng = random.Random(1)
        for code in codes:
            for m in range(meetings):
                meeting_ws.cell(r, 1, code)
                meeting_ws.cell(r, 3, datetime.date(year.year, 1, 1) + datetime.timedelta(days=(m * 7) % 360))
                meeting_ws.cell(r, 4, kinds[m % len(kinds)])
                topic = ("".join(chr(rng.randrange(0x4E00, 0x9FA5)) for _ in range(topic_length))
                         if topic_length else f"{TOPIC}{rng.randrange(10 ** 6)}")
                meeting_ws.cell(r, 5, topic)
                meeting_ws.cell(r, 6, 20 + m % 30)
                r += 1
        result = BytesIO()
        workbook.save(result)
        return result.getvalue()

    def _upload_and_apply(self, clerk, township, year, content: bytes) -> tuple[Any, dict[str, float]]:
        sheet = get_sheet("organizations")
        upload = SimpleUploadedFile("benchmark.xlsx", content)
        times: dict[str, float] = {}
        started, cpu = time.perf_counter(), time.process_time()
        batch = services.batch_upload(actor=clerk, township=township, year=year, sheet=sheet, upload=upload,
                                      language="zh-hans")
        batch = services.batch_check(batch_id=batch.pk)
        times["check"] = time.perf_counter() - started
        if batch.state == BatchState.READY:
            batch = services.batch_confirm(batch=batch, actor=clerk)
            if batch.state == BatchState.APPLYING:  # above IMPORT_INLINE_MAX_ROWS: the worker's job, run here
                batch = services.batch_apply(batch_id=batch.pk)
        times["total"] = time.perf_counter() - started
        times["cpu"] = time.process_time() - cpu
        return batch, times

    # --- the runs ---------------------------------------------------------------------------------
    def _run(self, options: dict[str, Any]) -> None:
        villages, meetings = options["villages"], options["meetings"]
        township, year, clerk = self._place(villages, options["year"])
        content, built, _cpu = _timed(self._filled, clerk, township, year, meetings)
        self.stdout.write(f"Template for {villages} villages filled with {meetings} meetings each: "
                          f"{len(content) / 1024:.0f} KB ({built:.2f} s to build and fill with openpyxl)")

        rss_before = _rss_mb()
        point = transaction.savepoint()
        batch, times = self._upload_and_apply(clerk, township, year, content)
        assert batch.state == BatchState.APPLIED, (batch.state, batch.message, batch.errors[:3])
        self.stdout.write(
            f"Upload → checked and previewed: {times['check']:.2f} s; upload → applied: {times['total']:.2f} s "
            f"({times['cpu']:.2f} s CPU), {batch.units} villages, {batch.rows} rows")
        transaction.savepoint_rollback(point)

        tracemalloc.start()
        point = transaction.savepoint()
        batch, _times = self._upload_and_apply(clerk, township, year, content)
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        transaction.savepoint_rollback(point)
        self.stdout.write(f"Peak memory of the upload: {peak / 1048576:.1f} MB of Python allocations (tracemalloc); "
                          f"process maximum resident set {_rss_mb():.0f} MB (was {rss_before:.0f} MB before)")

        size = int(options["big_mb"] * 1048576)
        noise = SimpleUploadedFile("noise.xlsx", os.urandom(size))
        refused, seconds, _cpu = _timed(self._refuse, clerk, township, year, noise)
        self.stdout.write(f"{size / 1048576:.1f} MB of random bytes named .xlsx: {refused} in {seconds:.3f} s")

        # Random Chinese topics (which compress little) fill a template of about the size asked for,
        # within the row limit: 950 meetings per village, their topics as long as needed.
        max_rows = options["big_max_rows"] or settings.IMPORT_MAX_ROWS
        per_village = min(950, max(1, (max_rows - villages) // villages))
        length = max(10, min(190, int(size / (villages * per_village) / 2.9)))
        big, built, _cpu = _timed(self._filled, clerk, township, year, per_village, topic_length=length)
        self.stdout.write(f"Built a template of {len(big) / 1048576:.1f} MB ({villages} villages × {per_village} "
                          f"meetings with {length}-character topics) in {built:.1f} s")
        point = transaction.savepoint()
        batch, times = self._upload_and_apply(clerk, township, year, big)
        transaction.savepoint_rollback(point)
        outcome = batch.state if batch.state != BatchState.REFUSED else f"refused ({batch.message})"
        self.stdout.write(
            f"A real template of {len(big) / 1048576:.1f} MB ({villages} villages × {per_village} meetings, "
            f"{batch.rows} rows): checked in {times['check']:.2f} s, {outcome} after {times['total']:.2f} s "
            f"({times['cpu']:.2f} s CPU)")
        self.stdout.write(f"Process maximum resident set at the end: {_rss_mb():.0f} MB")

    def _refuse(self, clerk, township, year, upload) -> str:
        try:
            services.batch_upload(actor=clerk, township=township, year=year, sheet=get_sheet("organizations"),
                                  upload=upload, language="zh-hans")
        except services.UploadRefused as refused:
            return f"refused ({refused})"
        return "accepted"

