"""The demo campaign's timeline: when each entry was saved, submitted, returned, reopened and
approved, and by whom — the steps the entry services record, spread over weeks.

Each township's clerk submits in a few batches over the weeks after the year ends (most in
January); each county's reviewer works through them a few days behind. 2020 and 2021 ran to
the end (every entry approved, some after being returned once) and were published; 2022 is
caught on ``AS_OF``, three weeks before its deadline, with entries in every state.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field

from wuqiang.core.demo.bulk import at
from wuqiang.entries.models import ChangeAction, EntryState, Pillar

# The demo's "today" in the 2022 campaign, which closes on 31 March 2023.
AS_OF = datetime.date(2023, 3, 10)


@dataclass(frozen=True)
class Calendar:
    """One year's campaign: the submission weeks and, once it ran to the end, when it closed
    and was published."""

    first_submission: datetime.date
    last_submission: datetime.date
    closed: datetime.date | None = None
    published: datetime.date | None = None


CALENDARS = {
    2020: Calendar(datetime.date(2020, 12, 14), datetime.date(2021, 3, 19),
                   datetime.date(2021, 4, 15), datetime.date(2021, 6, 30)),
    2021: Calendar(datetime.date(2021, 12, 13), datetime.date(2022, 3, 18),
                   datetime.date(2022, 4, 15), datetime.date(2022, 6, 29)),
    2022: Calendar(datetime.date(2022, 12, 12), AS_OF - datetime.timedelta(days=1)),
}

RETURN_COMMENTS = {
    Pillar.ORGANIZATIONS: ["会议记录缺少主题，请补充后重新提交。", "党员大会参会人数请与签到表核对。",
                           "请核对党员户数与网格数，附上网格划分说明。"],
    Pillar.TALENT: ["两委成员学历信息不完整，请补录。", "驻村工作队员派驻时间请与派驻文件核对。",
                    "后备力量名单请与乡镇组织办台账核对。"],
    Pillar.ECONOMY: ["经营性收入请附村集体经济收支明细。", "资产负债数据请与农经报表核对。"],
    Pillar.GOVERNANCE: ["矛盾纠纷化解数请附调解台账。", "大走访户数请与走访记录核对。"],
    Pillar.SUPPORT: ["书记报酬请按一卡通发放记录填写。", "活动场所面积请与不动产登记核对。"],
}
TOWNSHIP_RETURN_COMMENTS = ["周转房情况请附照片及分配名单。", "公务员编制数请与县编办核定数一致。"]
REOPEN_REASONS = ["县委组织部抽查发现会议记录与台账不符，重新核实后再报。",
                  "年度考核复核：报酬发放月份与一卡通记录不一致，请更正。"]

# How often a reviewer sends an entry back before approving it, and reopens an approved one.
RETURN_SHARE = 0.08
REOPEN_SHARE = 0.006


@dataclass
class Step:
    """One workflow step as the services record it: what, when, by the clerk or the reviewer."""

    action: str
    at: datetime.datetime
    by_reviewer: bool
    comment: str = ""


@dataclass
class Story:
    """Where one entry stands and how it got there."""

    state: str = EntryState.DRAFT
    version: int = 0
    updated_at: datetime.datetime | None = None
    submitted_at: datetime.datetime | None = None
    reviewed_at: datetime.datetime | None = None
    review_comment: str = ""
    # Approved at least once: the entry keeps the values of its last approval.
    approved: bool = False
    steps: list[Step] = field(default_factory=list)

    @property
    def was_submitted(self) -> bool:
        return self.submitted_at is not None


def _weekday(day: datetime.date) -> datetime.date:
    """Offices work Monday to Friday: a weekend day moves to the next Monday."""
    return day + datetime.timedelta(days=(7 - day.weekday()) % 7 if day.weekday() >= 5 else 0)


def _moment(rng: random.Random, day: datetime.date) -> datetime.datetime:
    return at(_weekday(day), rng.choice([9, 9, 10, 10, 11, 14, 15, 15, 16, 17]), rng.randrange(0, 60))


@dataclass
class Pace:
    """How a township's clerk and a county's reviewer work through one year."""

    batch_days: list[datetime.date]
    review_lag: tuple[int, int]
    # 2022: the share of the township's sheets submitted by AS_OF.
    progress: float = 1.0


@dataclass(frozen=True)
class Batch:
    """One sheet of all a township's villages, submitted by the clerk on one day and approved by
    the reviewer together some days later (as ``entries_approve_submitted`` does)."""

    day: datetime.date
    lag: int
    # In the running year: whether the clerk has sent this batch in yet.
    sent: bool = True


def township_pace(rng: random.Random, calendar: Calendar, county_lag: tuple[int, int], running: bool) -> Pace:
    """A clerk submits in three to six batches: in a finished year most of them in January; in
    the running one many are still coming in as the deadline nears."""
    span = (calendar.last_submission - calendar.first_submission).days
    # In the running year some townships finished early and others have barely started.
    late = rng.random() ** 0.5 if running else 0.3
    days = sorted({calendar.first_submission + datetime.timedelta(days=round(rng.triangular(0, span, span * late)))
                   for _ in range(rng.randint(3, 6))})
    progress = min(1.0, max(0.2, 1.15 - 0.6 * late + rng.uniform(-0.15, 0.15))) if running else 1.0
    return Pace(days, county_lag, progress=progress)


def batches(rng: random.Random, pace: Pace, sheets: list[str]) -> dict[str, Batch]:
    """When each of a township's sheets goes in and how long its review takes. The clerk works
    through the sheets in turn over the batch days; in the running year, a township that is
    ``progress`` of the way has sent that share of them."""
    order = rng.sample(sheets, len(sheets))
    days = pace.batch_days
    sent = max(1, round(pace.progress * len(order)))
    return {sheet: Batch(days[i * len(days) // sent] if i < sent else days[-1], rng.randint(*pace.review_lag),
                         sent=i < sent)
            for i, sheet in enumerate(order)}


def county_lag(rng: random.Random, running: bool = False) -> tuple[int, int]:
    """How many days a county's reviewer takes, at best and at worst (longer while the year's
    submissions are still piling up)."""
    fastest = rng.randint(8, 16) if running else rng.randint(1, 3)
    return fastest, fastest + (rng.randint(12, 30) if running else rng.randint(3, 9))


def story(rng: random.Random, pace: Pace, calendar: Calendar, pillar: str, group: Batch, *,
          township_sheet: bool = False, forced: str | None = None, return_comment: str = "") -> Story:
    """One entry's path through the year, ending where the campaign stands (approved in a year
    that ran to the end; anywhere on ``AS_OF`` in the running year), or in ``forced``. Most
    entries go with their township's batch of the pillar; a few straggle."""
    running = calendar.closed is None
    deadline = at(calendar.closed, 9) if calendar.closed else at(AS_OF, 9)
    comments = TOWNSHIP_RETURN_COMMENTS if township_sheet else RETURN_COMMENTS[pillar]
    result = Story()

    def save(when: datetime.datetime, saves: int = 1) -> None:
        result.version += saves
        result.updated_at = when

    straggler = rng.random() < 0.12
    submit_day = rng.choice(pace.batch_days) if straggler else group.day

    def review_after(when: datetime.datetime) -> datetime.datetime:
        # The batch is decided together; anything later waits its turn in the queue.
        lag = group.lag if when.date() == group.day else rng.randint(*pace.review_lag)
        return _moment(rng, when.date() + datetime.timedelta(days=lag))

    first_save = _moment(rng, submit_day - datetime.timedelta(days=rng.randint(0, 20)))
    sent = group.sent if not straggler else rng.random() < pace.progress
    will_submit = forced != EntryState.DRAFT and (forced is not None or not running or sent)
    if not will_submit:
        save(min(first_save, deadline - datetime.timedelta(days=1)), rng.randint(1, 3))
        return result
    submitted = max(first_save + datetime.timedelta(minutes=rng.randint(5, 240)), _moment(rng, submit_day))
    if forced == EntryState.SUBMITTED:
        submitted = _moment(rng, AS_OF - datetime.timedelta(days=rng.randint(2, 6)))
        first_save = submitted - datetime.timedelta(hours=rng.randint(1, 30))
    save(first_save, rng.randint(1, 3))

    def submit(when: datetime.datetime) -> None:
        result.version += 1
        result.state, result.submitted_at = EntryState.SUBMITTED, when
        result.steps.append(Step(ChangeAction.SUBMITTED, when, False))

    def decide(action: str, when: datetime.datetime, comment: str = "") -> None:
        result.version += 1
        result.reviewed_at, result.review_comment = when, comment
        result.state = EntryState.APPROVED if action == ChangeAction.APPROVED else EntryState.RETURNED
        result.approved = result.approved or action == ChangeAction.APPROVED
        result.steps.append(Step(action, when, True, comment))

    submit(submitted)
    if forced == EntryState.SUBMITTED:
        return result
    if forced == EntryState.RETURNED:
        decide(ChangeAction.RETURNED, review_after(submitted), return_comment or rng.choice(comments))
        return result

    # The reviewer answers; a returned entry is corrected and submitted again, until approved or
    # until the running campaign's clock runs out. A finished year ran through to the end.
    must_finish = not running or forced == EntryState.APPROVED
    returns = 1 if rng.random() < RETURN_SHARE and forced is None else 0
    reopen = forced is None and rng.random() < REOPEN_SHARE
    when = submitted
    while True:
        decided = review_after(when)
        if decided >= deadline:
            if not must_finish:
                return result
            # The reviewer cleared the backlog before the year closed.
            decided, returns, reopen = when + datetime.timedelta(hours=2), 0, False
        if returns:
            decide(ChangeAction.RETURNED, decided, rng.choice(comments))
            returns -= 1
        else:
            decide(ChangeAction.APPROVED, decided)
            if not reopen:
                return result
            reopen = False
            reopened = _moment(rng, decided.date() + datetime.timedelta(days=rng.randint(3, 20)))
            if reopened >= deadline:
                return result
            result.version += 1
            result.state, result.reviewed_at = EntryState.RETURNED, reopened
            result.review_comment = rng.choice(REOPEN_REASONS)
            result.steps.append(Step(ChangeAction.REOPENED, reopened, True, result.review_comment))
            decided = reopened
        fixed = _moment(rng, decided.date() + datetime.timedelta(days=rng.randint(1, 4)))
        if fixed >= deadline - datetime.timedelta(hours=4) or (not must_finish and rng.random() < 0.6):
            if not must_finish:
                return result  # still with the clerk
            fixed = decided + datetime.timedelta(hours=1)
        save(fixed)
        when = fixed + datetime.timedelta(minutes=rng.randint(2, 50))
        submit(when)
