"""The assessment report (SPEC §8): the workbook a municipal organisation department hands up
the chain, for one unit and year, built from the stored scorecards and never recomputed.

Sheets, in order:

1. **Summary** — title; scope, year and its state; when the scorecards were computed, and a
   warning when an entry was approved after that; SPEC §7's figures for the scope; the
   headline scorecard; the named (confirmed) demonstration villages.
2. **League tables** of the levels below the scope: counties, then townships.
3. **Villages** — one row each: every indicator of the year's scheme with its value and
   points, the pillar scores, total, grade, rank, change, veto items and completeness.
4. **Failing villages** — the 未达标 villages and why (veto items, total, missing pillars).
   Then **inspection tickets** (督查罚单) to units in the scope: open ones and the year's.
4b. **Path to the next grade** (issue 18) — each village below the best grade: the next grade,
   the points it needs and, in the village's own terms, what would earn them (vetoes first).
5. **Approved raw data**, from the pillar registry: each pillar's profile (one row per
   village, its form's fields as columns) and each record list on a sheet of its own with
   the village code on every row; then the township-level sheets (五小).

Headers follow the active language (build inside ``translation.override``); nothing
pillar-specific is spelled out here: the registry and the scheme say what the columns are.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

from wuqiang.entries.models import Pillar
from wuqiang.entries.registry import PillarSheet, township_sheets, village_sheets
from wuqiang.regions.models import Level
from wuqiang.reports import selectors
from wuqiang.reports.models import ExportKind
from wuqiang.reports.xlsx import Column, Kind, SheetWriter, Styled, XlsxBook
from wuqiang.scoring.indicators import Kind as IndicatorKind
from wuqiang.scoring.indicators import indicator_def
from wuqiang.scoring.models import Grade, NominationStatus, SchemeIndicator, VetoCode

Progress = Callable[[int, str], None]
# How often (in rows) a long sheet reports progress.
PROGRESS_EVERY = 5000


@dataclass
class BuildResult:
    sheets: int = 0
    rows: int = 0
    seconds: float = 0.0


class _Progress:
    """Turns rows written into a percentage of the rows the report will hold."""

    def __init__(self, callback: Progress | None, total: int):
        self.callback, self.total, self.done, self._last = callback, max(total, 1), 0, -1

    def step(self, rows: int, message: str) -> None:
        self.done += rows
        percent = min(99, 100 * self.done // self.total)
        if self.callback is not None and percent != self._last:
            self._last = percent
            self.callback(percent, message)


# --- Cell conversions ------------------------------------------------------------------------------


def _yes_no() -> Callable[[Any], str]:
    yes, no = _("Yes"), _("No")
    return lambda value: yes if value else no


def _labels(choices: Iterable[tuple[Any, Any]]) -> Callable[[Any], str]:
    labels = {value: str(label) for value, label in choices}
    return lambda value: labels.get(value, str(value))


def _list_labels(choices: dict[Any, Any]) -> Callable[[Any], str | None]:
    labels = {value: str(label) for value, label in choices.items()}
    return lambda values: "、".join(labels.get(v, str(v)) for v in values) or None


def field_column(model: type[models.Model], name: str) -> Column:
    """A raw-data column from a model field: choice labels and yes/no as text, numbers with
    their unit in the header, dates as dates, anything typed by a user as text."""
    field = model._meta.get_field(name)
    header = str(field.verbose_name)
    if isinstance(field, models.BooleanField):
        return Column(header, Kind.TEXT, convert=_yes_no())
    if field.choices:
        return Column(header, Kind.TEXT, convert=_labels(field.flatchoices))
    if isinstance(field, models.JSONField):
        return Column(header, Kind.TEXT, "wrap", convert=_list_labels(getattr(model, "item_choices", {}).get(name, {})))
    with_unit = _("%(label)s (%(unit)s)") % {"label": header, "unit": field.help_text} if field.help_text else header
    if isinstance(field, models.DecimalField):
        return Column(with_unit, Kind.NUMBER, "money" if field.decimal_places == 2 else "decimal1")
    if isinstance(field, (models.IntegerField, models.FloatField)):
        return Column(with_unit, Kind.NUMBER, "plain_int")
    if isinstance(field, models.DateTimeField):
        return Column(header, Kind.DATE, "datetime")
    if isinstance(field, models.DateField):
        return Column(header, Kind.DATE, "date")
    wrap = isinstance(field, models.TextField)
    return Column(header, Kind.TEXT, "wrap" if wrap else "text", width=40 if wrap else None)


def _indicator_value_column(item: SchemeIndicator) -> Column:
    definition = indicator_def(item.code)
    kind = definition.kind if definition else IndicatorKind.RATIO
    header = f"{item.code} {item.name}"
    if kind == IndicatorKind.FLAG:  # yes, no (or none): words
        return Column(header, Kind.TEXT)
    style = {IndicatorKind.RATIO: "percent1", IndicatorKind.MONEY: "money"}.get(kind, "decimal1")
    return Column(header, Kind.NUMBER, style)


# --- The report ----------------------------------------------------------------------------------


class ReportBuilder:
    """Writes one unit's report for one year into an ``XlsxBook``."""

    def __init__(self, book: XlsxBook, *, actor: Any, unit: Any, year: int, progress: Progress | None = None):
        self.book, self.actor, self.unit, self.year = book, actor, unit, year
        self.municipality = selectors.municipality_of(unit)
        self.scheme = selectors.report_scheme(self.municipality, year)
        self.indicators = selectors.scheme_indicators(self.scheme)
        self.card = selectors.unit_card(actor, unit, year)
        self.sheets = village_sheets()
        self.township_level_sheets = township_sheets() if unit.level < Level.VILLAGE else []
        self.result = BuildResult()
        self.grade_labels = {g.value: str(g.label) for g in Grade}
        self.veto_labels = {v.value: str(v.label) for v in VetoCode}
        self.pillar_labels = {p.value: str(p.label) for p in Pillar}
        self.progress = _Progress(progress, self._expected_rows())

    def _expected_rows(self) -> int:
        villages = self.card.villages if self.card is not None and hasattr(self.card, "villages") else 1
        rows = villages * (2 + len(self.sheets))  # the villages sheet, one profile per pillar, slack
        for sheet in self.sheets:
            rows += sum(selectors.record_count(self.actor, self.unit, self.year, sheet, records)
                        for records in sheet.records)
        return rows

    def build(self) -> BuildResult:
        started = time.perf_counter()
        self.book.set_yes_no(_("Yes"), _("No"))
        self.summary()
        for level in selectors.levels_below(self.unit):
            self.league(level)
        self.villages()
        self.failing()
        self.tickets()
        self.paths()
        for sheet in self.sheets:
            self.raw_data(sheet)
        for sheet in self.township_level_sheets:
            self.raw_data(sheet)
        self.result.seconds = time.perf_counter() - started
        return self.result

    def _sheet(self, title: str, columns: Sequence[Column], **options: Any) -> SheetWriter:
        self.result.sheets += 1
        return self.book.sheet(title, columns, **options)

    def _write(self, sheet: SheetWriter, rows: Iterable[Sequence[Any]], message: str) -> None:
        """Write rows to a sheet, reporting progress as it goes, then close it."""
        pending = 0
        for row in rows:
            sheet.append(row)
            pending += 1
            if pending == PROGRESS_EVERY:
                self.progress.step(pending, message)
                pending = 0
        self.progress.step(pending, message)
        self.result.rows += sheet.rows_written
        sheet.close()

    # --- 1. summary ---------------------------------------------------------------------------
    def summary(self) -> None:
        unit, card = self.unit, self.card
        level = str(Level(unit.level).label)
        freshness = selectors.freshness(self.actor, unit, self.year, card)
        rows: list[list[Any]] = [
            [Styled(_("%(unit)s: Five Strong Organizations assessment report %(year)s")
                    % {"unit": unit.name, "year": self.year}, "title")],
            [Styled(_("Scope"), "label"), f"{level} · {unit.name}", unit.code],
            [Styled(_("Assessment year"), "label"), self.year,
             selectors.year_state_label(self.municipality, self.year)],
            [Styled(_("Scorecards computed at"), "label"),
             Styled(freshness.computed_at, "datetime") if freshness.computed_at else _("Not computed yet")],
            [Styled(_("Report generated at"), "label"), Styled(timezone.now(), "datetime"),
             getattr(self.actor, "display_name", "")],
        ]
        if freshness.approved_since is not None:
            when = timezone.localtime(freshness.approved_since).strftime("%Y-%m-%d %H:%M")
            rows.append([Styled(_("Entries were approved after these scorecards were computed (the latest at "
                                  "%(when)s): recompute the scorecards for figures that include them.")
                                % {"when": when}, "warning")])
        rows.append([Styled(_("Scores and figures are read from the stored scorecards, not recomputed."), "label")])
        rows.append([])
        if card is not None:
            rows.append([Styled(_("Key figures"), "heading")])
            rows += [[Styled(label, "label"), Styled(value, style), note]
                     for label, value, style, note in self._figures(card)]
            rows.append([])
            rows.append([Styled(_("Scorecard"), "heading")])
            rows += [[Styled(label, "label"), Styled(value, style)] for label, value, style in self._headline(card)]
            rows.append([])
        rows.append([Styled(_("Named demonstration villages"), "heading")])
        named = list(selectors.confirmed_nominations(self.actor, unit, self.year))
        if named:
            rows.append([Styled(h, "header") for h in (_("Village code"), _("Village"), _("Township"), _("County"),
                                                        _("Total"), _("Grade"))])
            rows += [[code, village, township, county, Styled(total, "points"), self.grade_labels.get(grade, grade)]
                     for code, village, township, county, total, grade, *_rest in named]
        else:
            rows.append([_("None named yet.")])
        sheet = self._sheet(_("Summary"), [Column("", Kind.ANY) for _i in range(6)], header=False, freeze=None,
                            filters=False)
        self._write(sheet, rows, _("Summary"))

    def _figures(self, card: Any) -> list[tuple[str, Any, str, str]]:
        """SPEC §7's figures for the scope, from its stored scorecard: (label, value, style, note)."""
        villages = getattr(card, "villages", 1)
        share = Decimal(card.combined) / villages if villages else None
        figures = [(_("Administrative villages"), villages, "int", "")]
        if self.unit.level in (Level.MUNICIPALITY, Level.COUNTY):
            figures.append((_("Townships"), selectors.league(self.actor, self.unit, self.year, Level.TOWNSHIP).count(),
                            "int", ""))
        figures += [
            (_("Villages whose secretary is also the director (一肩挑)"), card.combined, "int", ""),
            (_("Share of villages with 一肩挑"), share, "percent", ""),
            (_("Secretaries in the competition"), card.competition, "int", ""),
            (_("First secretaries and work-team members in post"), card.sent_down_in_post, "int", ""),
            (_("Leading-talent trainees"), card.leader_trainees, "int", ""),
            (_("Reserve trainees"), card.reserve_trainees, "int", ""),
            (_("Trainees now on the village committees"), card.trainees_now_cadre, "int", ""),
            (_("Rural revitalisation instructors in post"), card.instructors_in_post, "int", ""),
            (_("Science and technology commissioners in post"), card.tech_commissioners_in_post, "int", ""),
            (_("Collective-economy demonstration bases"), card.demonstration_bases, "int", ""),
            (_("Villages with operating income above 500,000 yuan"), card.income_above_50, "int", ""),
            (_("Villages with operating income below 100,000 yuan"), card.income_below_10, "int", ""),
            (_("Total operating income"), card.operating_income, "money", _("10,000 yuan")),
            (_("Mean monthly pay of secretary-directors (一肩挑)"), card.mean_pay_combined, "int", _("yuan")),
            (_("Mean monthly pay of secretaries and directors (村正职)"), card.mean_pay_principal, "int", _("yuan")),
            (_("Mean monthly pay of deputies and members (村副职)"), card.mean_pay_deputy, "int", _("yuan")),
        ]
        return figures

    def _headline(self, card: Any) -> list[tuple[str, Any, str]]:
        if self.unit.level == Level.VILLAGE:
            lines = [(_("Total"), card.total, "points"), (_("Grade"), self.grade_labels.get(card.grade), "text"),
                     (_("Rank in township"), card.rank, "int")]
            lines += [(self.pillar_labels[p], getattr(card, p), "points") for p in Pillar.values]
            lines += [(_("Change against last year"), card.total_change, "points"),
                      (_("Completeness (approved pillars)"), Decimal(card.approved_pillars) / 5, "percent0"),
                      (_("Veto items"), "；".join(self.veto_labels.get(c, c) for c in card.veto_codes) or "—", "text")]
            return lines
        lines = [(_("Mean total"), card.mean_total, "points")]
        if card.rank is not None and self.unit.level != Level.MUNICIPALITY:
            lines.append((_("Rank"), card.rank, "int"))
        lines.append((_("Change against last year"), card.total_change, "points"))
        lines += [(_("Mean: %(pillar)s") % {"pillar": label}, mean, "points")
                  for _v, label, mean in card.pillar_means()]
        lines += [(str(label), n, "int") for _v, label, n in card.grade_counts()]
        lines += [(_("Completeness (approved pillars)"), card.mean_completeness / 100, "percent"),
                  (_("Villages with a veto item"), card.veto_villages, "int")]
        return lines

    # --- 2. league tables ---------------------------------------------------------------------------
    def league(self, level: int) -> None:
        is_county = level == Level.COUNTY
        columns = [Column(_("Rank in county") if not is_county else _("Rank"), Kind.NUMBER, "plain_int"),
                   Column(_("Division code")), Column(_("County") if is_county else _("Township"))]
        if not is_county:
            columns.append(Column(_("County")))
        columns += [Column(_("Villages"), Kind.NUMBER, "int"), Column(_("Mean total"), Kind.NUMBER, "points"),
                    Column(_("Change against last year"), Kind.NUMBER, "points")]
        columns += [Column(self.pillar_labels[p], Kind.NUMBER, "points") for p in Pillar.values]
        columns += [Column(str(g.label), Kind.NUMBER, "int") for g in Grade]
        columns += [Column(_("Completeness (approved pillars)"), Kind.NUMBER, "percent"),
                    Column(_("Villages with a veto item"), Kind.NUMBER, "int")]

        def rows() -> Iterable[list[Any]]:
            for card in selectors.league(self.actor, self.unit, self.year, level):
                unit = card.unit
                row = [card.rank, unit.code, unit.name]
                if not is_county:
                    row.append(card.county.name)
                row += [card.villages, card.mean_total, card.total_change]
                row += [getattr(card, f"mean_{p}") for p in Pillar.values]
                row += [getattr(card, f"n_{g}") for g in Grade.values]
                row += [card.mean_completeness / 100, card.veto_villages]
                yield row

        title = _("League table of counties") if is_county else _("League table of townships")
        self._write(self._sheet(title, columns, freeze="D2" if is_county else "E2"), rows(), title)

    # --- 3. villages ---------------------------------------------------------------------------------
    def villages(self) -> None:
        columns = [Column(_("Village code")), Column(_("Village")), Column(_("Township")), Column(_("County"))]
        for item in self.indicators:
            columns.append(_indicator_value_column(item))
            columns.append(Column(_("%(code)s points (of %(max)s)") % {"code": item.code, "max": item.points},
                                  Kind.NUMBER, "points"))
        columns += [Column(self.pillar_labels[p], Kind.NUMBER, "points") for p in Pillar.values]
        columns += [Column(_("Total"), Kind.NUMBER, "points"), Column(_("Grade")),
                    Column(_("Rank in township"), Kind.NUMBER, "plain_int"),
                    Column(_("Change against last year"), Kind.NUMBER, "points"),
                    Column(_("Completeness (approved pillars)"), Kind.NUMBER, "percent0"),
                    Column(_("Veto items"), Kind.TEXT, "wrap", width=30)]
        kinds = [(i.code, indicator_def(i.code) is not None and indicator_def(i.code).kind == IndicatorKind.FLAG)
                 for i in self.indicators]
        yes, no, none = _("Yes"), _("No"), _("none")
        grades, vetoes = self.grade_labels, self.veto_labels

        def rows() -> Iterable[list[Any]]:
            for card, scores in selectors.village_rows(self.actor, self.unit, self.year):
                (_vid, code, name, township, county, org, talent, economy, governance, support, total, grade, rank,
                 change, veto_codes, approved) = card
                row = [code, name, township, county]
                for indicator, is_flag in kinds:
                    score = scores.get(indicator)
                    if score is None:  # the pillar was not approved: no score, left empty
                        row += (None, None)
                    elif score[0] is None:
                        row += (none, score[1])
                    elif is_flag:
                        row += (yes if score[0] >= 1 else no, score[1])
                    else:
                        row += score
                row += (org, talent, economy, governance, support, total, grades.get(grade, grade), rank, change,
                        approved / 5, "；".join(vetoes.get(c, c) for c in veto_codes.split(",") if c) or None)
                yield row

        title = _("Villages")
        self._write(self._sheet(title, columns, freeze="C2"), rows(), title)

    # --- 4. not up to standard -------------------------------------------------------------------
    def failing(self) -> None:
        columns = [Column(_("Village code")), Column(_("Village")), Column(_("Township")), Column(_("County")),
                   Column(_("Total"), Kind.NUMBER, "points"), Column(_("Grade")),
                   Column(_("Completeness (approved pillars)"), Kind.NUMBER, "percent0"),
                   Column(_("Reasons"), Kind.TEXT, "wrap", width=60)]
        basic = self.scheme.basic_total if self.scheme else None

        def reasons(total: Any, approved: int, veto_codes: str) -> str:
            found = [_("Veto: %(item)s") % {"item": self.veto_labels.get(c, c)} for c in veto_codes.split(",") if c]
            if basic is not None and Decimal(str(total)) < basic:
                found.append(_("Total %(total)s below %(line)s") % {"total": total, "line": basic})
            if approved < 5:
                found.append(_("%(n)s of 5 pillars not approved") % {"n": 5 - approved})
            return "；".join(found)

        def rows() -> Iterable[list[Any]]:
            for code, name, township, county, total, grade, approved, veto_codes in selectors.failing_villages(
                    self.actor, self.unit, self.year):
                yield [code, name, township, county, total, self.grade_labels.get(grade, grade), approved / 5,
                       reasons(total, approved, veto_codes)]

        title = _("Failing villages and veto items")
        self._write(self._sheet(title, columns, freeze="C2"), rows(), title)

    # --- 4a. inspection tickets -----------------------------------------------------------------------
    def tickets(self) -> None:
        """Tickets to units inside the scope: those still open (whatever year they were issued)
        and those issued in the report's year; overdue is decided against today."""
        from wuqiang.tickets.models import Category, Severity, TicketState, today

        categories, severities = _labels(Category.choices), _labels(Severity.choices)
        states, yes_no = _labels(TicketState.choices), _yes_no()
        columns = [Column(_("No."), Kind.NUMBER, "plain_int"), Column(_("Division code")), Column(_("Unit")),
                   Column(_("Township")), Column(_("County")), Column(_("Problem"), Kind.TEXT, "wrap", width=30),
                   Column(_("Category"), convert=categories), Column(_("Severity"), convert=severities),
                   Column(_("Issued by")), Column(_("Issued at"), Kind.DATE, "datetime"),
                   Column(_("Deadline"), Kind.DATE, "date"), Column(_("State"), convert=states),
                   Column(_("Overdue"), convert=yes_no), Column(_("Days overdue"), Kind.NUMBER, "plain_int"),
                   Column(_("Answered at"), Kind.DATE, "datetime"), Column(_("Closed at"), Kind.DATE, "datetime"),
                   Column(_("Problem found"), Kind.TEXT, "wrap", width=40),
                   Column(_("Rectification"), Kind.TEXT, "wrap", width=40)]
        on = today()

        def rows() -> Iterable[list[Any]]:
            for t in selectors.tickets(self.actor, self.unit, self.year):
                unit = t.village or t.township or t.county
                days = t.days_overdue
                yield [t.pk, unit.code, unit.name, t.township.name if t.township_id else None, t.county.name,
                       t.title, t.category, t.severity, t.issuer.display_name, t.issued_at, t.deadline, t.state,
                       t.is_open and t.deadline < on, days or None, t.answered_at, t.closed_at, t.problem,
                       t.answer or None]

        title = _("Inspection tickets")
        self._write(self._sheet(title, columns, freeze="D2"), rows(), title)

    # --- 4b. path to the next grade ---------------------------------------------------------------
    def paths(self) -> None:
        from wuqiang.scoring.selectors import describe_steps

        columns = [Column(_("Village code")), Column(_("Village")), Column(_("Township")), Column(_("County")),
                   Column(_("Next grade")), Column(_("Points to the next grade"), Kind.NUMBER, "points"),
                   Column(_("Pillars still below the exemplary line"), Kind.TEXT, "wrap", width=30),
                   Column(_("What would earn the points"), Kind.TEXT, "wrap", width=90)]
        names = {i.code: i.name for i in self.indicators}

        def rows() -> Iterable[list[Any]]:
            for (code, name, township, county, next_grade, needed, short), steps in selectors.grade_paths(
                    self.actor, self.unit, self.year):
                pillars = "、".join(self.pillar_labels.get(p, p) for p in short.split(",") if p)
                yield [code, name, township, county, self.grade_labels.get(next_grade, next_grade), needed,
                       pillars, "；".join(describe_steps(steps, names))]

        title = _("Path to the next grade")
        self._write(self._sheet(title, columns, freeze="C2"), rows(), title)

    # --- 5. approved raw data --------------------------------------------------------------------
    def raw_data(self, sheet: PillarSheet) -> None:
        model, fields = sheet.profile_model, list(sheet.profile_form._meta.fields)
        is_village = sheet.level == Level.VILLAGE
        columns = [Column(_("Village code") if is_village else _("Township code")),
                   Column(_("Village") if is_village else _("Township"))]
        columns += [field_column(model, name) for name in fields]
        title = str(sheet.label)
        self._write(self._sheet(title, columns, freeze="C2"),
                    selectors.profile_rows(self.actor, self.unit, self.year, sheet, fields), title)
        for records in sheet.records:
            record_fields = list(records.form._meta.fields)
            columns = [Column(_("Village code") if is_village else _("Township code"))]
            columns += [field_column(records.model, name) for name in record_fields]
            title = str(records.title)
            self._write(self._sheet(title, columns, freeze="B2"),
                        selectors.record_rows(self.actor, self.unit, self.year, sheet, records, record_fields), title)


def report_title(unit: Any, year: int) -> str:
    return _("%(unit)s: Five Strong Organizations assessment report %(year)s") % {"unit": unit.name, "year": year}


def build_report(*, actor: Any, unit: Any, year: int, output: str | IO[bytes],
                 progress: Progress | None = None, tap: Any = None) -> BuildResult:
    """Write the report of ``unit`` for ``year``, as ``actor`` may see it, to ``output`` (a
    path or a binary file), in the active language."""
    started = time.perf_counter()
    with XlsxBook(output, title=report_title(unit, year), creator=_("Five Strong Organizations"), tap=tap) as book:
        result = ReportBuilder(book, actor=actor, unit=unit, year=year, progress=progress).build()
        book.save()
    result.seconds = time.perf_counter() - started
    return result


def build_demonstration_list(*, actor: Any, unit: Any, year: int, output: str | IO[bytes],
                             status: str = "") -> BuildResult:
    """The demonstration nominations inside ``unit`` (optionally of one status) on one sheet."""
    started = time.perf_counter()
    grades = {g.value: str(g.label) for g in Grade}
    statuses = {s.value: str(s.label) for s in NominationStatus}
    columns = [Column(_("Village code")), Column(_("Village")), Column(_("Township")), Column(_("County")),
               Column(_("Total"), Kind.NUMBER, "points"), Column(_("Grade")), Column(_("Status")),
               Column(_("Decided"), Kind.DATE, "datetime"), Column(_("Note"), Kind.TEXT, "wrap", width=40)]
    result = BuildResult(sheets=1)
    title = _("Demonstration villages %(year)s") % {"year": year}
    with XlsxBook(output, title=title, creator=_("Five Strong Organizations")) as book:
        sheet = book.sheet(title, columns, freeze="C2")
        for code, name, township, county, total, grade, state, decided_at, note in selectors.nominations(
                actor, unit, year, status):
            sheet.append([code, name, township, county, total, grades.get(grade, grade), statuses.get(state, state),
                          decided_at, note or None])
        result.rows = sheet.rows_written
        sheet.close()
        book.save()
    result.seconds = time.perf_counter() - started
    return result


def export_filename(kind: str, unit: Any, year: int) -> str:
    """The name the browser saves the file under, in the active language."""
    if kind == ExportKind.DEMONSTRATION:
        name = _("%(unit)s demonstration villages %(year)s") % {"unit": unit.name, "year": year}
    else:
        name = report_title(unit, year)
    safe = "".join(c for c in name if c not in '\\/:*?"<>|').replace(" ", "_")
    return f"{safe}.xlsx"
