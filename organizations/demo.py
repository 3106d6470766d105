"""Demo values for 组织功能强: branch profiles, meeting logs, major matters, weak-and-lax cases."""

from __future__ import annotations

import datetime

from organizations.choices import (
    REQUIRED_MEETINGS,
    REQUIRED_THEME_DAY_MONTHS,
    MeetingKind,
    OrgType,
    WeakCaseStatus,
)
from organizations.models import BranchProfile, MajorMatter, Meeting, WeakCase

# What a diligent branch holds in a year; the demo's branches fall a little short at random.
PLANNED = {**REQUIRED_MEETINGS, MeetingKind.THEME_DAY: REQUIRED_THEME_DAY_MONTHS}
TOPICS = {
    MeetingKind.PARTY_CONGRESS: ["审议村级年度工作计划", "发展党员表决", "民主评议党员", "选举党小组长"],
    MeetingKind.COMMITTEE: ["研究产业发展项目", "讨论集体经济分红方案", "研究人居环境整治", "部署防汛工作"],
    MeetingKind.GROUP: ["学习党章党规", "网格走访情况交流", "讨论帮扶困难群众"],
    MeetingKind.PARTY_LECTURE: ["书记讲党课：乡村振兴", "学习习近平新时代中国特色社会主义思想", "党史专题党课"],
    MeetingKind.THEME_DAY: ["重温入党誓词", "志愿服务进网格", "清洁家园行动", "红色教育基地参观"],
}
MATTERS = ["村集体经济项目入股", "土地流转方案", "村道硬化工程", "集体资产出租", "产业分红方案", "饮水工程改造"]


def _dates(rng, year: int, n: int) -> list[datetime.date]:
    months = sorted(rng.sample(range(1, 13), n)) if n <= 12 else sorted(rng.randint(1, 12) for _ in range(n))
    return [datetime.date(year, m, rng.randint(1, 28)) for m in months]


def generate(ctx) -> None:
    rng, year = ctx.rng, ctx.year
    profiles, meetings, matters, cases = [], [], [], []
    households_by_village = ctx.shared.setdefault("households", {})
    for village in ctx.villages:
        entry_id = ctx.entries.get(village.pk)
        if entry_id is None:
            continue
        households = rng.randint(280, 1600)
        households_by_village[village.pk] = households
        grids = rng.randint(5, 18)
        profiles.append(BranchProfile(
            entry_id=entry_id,
            org_type=rng.choices([OrgType.BRANCH, OrgType.GENERAL_BRANCH, OrgType.COMMITTEE], [80, 15, 5])[0],
            party_members=rng.randint(25, 160),
            households=households,
            grids=grids,
            grids_with_party_group=max(0, grids - rng.choices([0, 1, 2, 3], [60, 20, 12, 8])[0]),
            linked_households=int(households * rng.uniform(0.55, 1.0)),
            secretary_is_director=village.pk not in ctx.shared["separate_secretary"],
            standardisation_passed=rng.random() < 0.9,
            points_system=rng.random() < 0.85,
            # SPEC §7: every secretary took part in the 2021 擂台比武.
            competition_participated=(participated := ctx.calibrate or rng.random() < 0.95),
            competition_score=round(rng.uniform(62, 98), 1) if participated else None,
        ))
        for kind, planned in PLANNED.items():
            held = planned - (0 if rng.random() < 0.7 else rng.randint(1, min(3, planned)))
            for day in _dates(rng, year, held):
                meetings.append(Meeting(entry_id=entry_id, date=day, kind=kind, topic=rng.choice(TOPICS[kind]),
                                        attendance=rng.randint(15, 60)))
        for day in _dates(rng, year, rng.randint(0, 6)):
            matters.append(MajorMatter(entry_id=entry_id, title=rng.choice(MATTERS), date=day,
                                       four_deliberations=rng.random() < 0.95, made_public=rng.random() < 0.95))
        if rng.random() < 0.02:
            rectified = rng.random() < 0.75
            cases.append(WeakCase(
                entry_id=entry_id,
                reasons=rng.choice(["班子战斗力不强", "组织生活不规范", "矛盾纠纷较多"]),
                measures="县级领导联系指导，选派第一书记，限期整改。",
                status=WeakCaseStatus.RECTIFIED if rectified else WeakCaseStatus.RECTIFYING,
                rectified_on=datetime.date(year, rng.randint(6, 12), rng.randint(1, 28)) if rectified else None,
            ))
    BranchProfile.objects.bulk_create(profiles, batch_size=2000)
    Meeting.objects.bulk_create(meetings, batch_size=5000)
    MajorMatter.objects.bulk_create(matters, batch_size=5000)
    WeakCase.objects.bulk_create(cases, batch_size=2000)
