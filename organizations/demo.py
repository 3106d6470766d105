"""Demo values for 组织功能强: branch profiles, meeting logs, major matters, weak-and-lax cases.

The branch's size comes from the village's persistent profile (households and members drift a
few per cent a year); meetings are held by kind at the pace the branch can keep, and attended
as each kind is in practice: a 党员大会 by more than half the members (quorate), a 支委会 by
the committee, a 党小组会 by one group, never by more members than the branch has.
"""

from __future__ import annotations

import datetime
import random

from organizations.choices import MeetingKind, OrgType, WeakCaseStatus
from organizations.models import MajorMatter, Meeting, WeakCase
from wuqiang.core.demo.bulk import cents
from wuqiang.core.demo.life import ANCHOR_YEAR, DemoWorld, VillageLife, clip
from wuqiang.entries.models import Pillar

TOPICS = {
    MeetingKind.PARTY_CONGRESS: ["审议村级年度工作计划", "发展党员表决", "民主评议党员", "选举党小组长",
                                 "通报村务财务收支情况"],
    MeetingKind.COMMITTEE: ["研究产业发展项目", "讨论集体经济分红方案", "研究人居环境整治", "部署防汛工作",
                            "研究发展党员工作", "研究困难群众帮扶"],
    MeetingKind.GROUP: ["学习党章党规", "网格走访情况交流", "讨论帮扶困难群众", "学习上级会议精神"],
    MeetingKind.PARTY_LECTURE: ["书记讲党课：乡村振兴", "学习习近平新时代中国特色社会主义思想", "党史专题党课",
                                "第一书记讲党课：产业发展"],
    MeetingKind.THEME_DAY: ["重温入党誓词", "志愿服务进网格", "清洁家园行动", "红色教育基地参观", "关爱留守儿童"],
}
MATTERS = ["村集体经济项目入股", "土地流转方案", "村道硬化工程", "集体资产出租", "产业分红方案", "饮水工程改造",
           "村级公益事业一事一议", "集体林地承包调整"]
WEAK_REASONS = ["班子战斗力不强，组织生活不规范", "村级集体经济薄弱，带富能力不强", "矛盾纠纷较多，群众意见较大",
                "党组织书记长期空缺或不胜任"]
WEAK_MEASURES = "县级领导联系指导，乡镇党委书记包村，选派第一书记，限期整改。"

# A branch of 50 members or more may form a general branch, of 100 or more a party committee.
GENERAL_BRANCH_MEMBERS = 50
COMMITTEE_MEMBERS = 100
# In the demo's "today" (see workflow.AS_OF) nothing has been rectified after this day.
LAST_RECTIFICATION = datetime.date(2023, 3, 1)


def _org_type(life: VillageLife) -> str:
    members = life.members[ANCHOR_YEAR]
    if members >= COMMITTEE_MEMBERS and life.traits.u("committee") < 0.7:
        return OrgType.COMMITTEE
    if members >= GENERAL_BRANCH_MEMBERS:
        return OrgType.GENERAL_BRANCH
    return OrgType.BRANCH


def _day(rng: random.Random, year: int, month: int, first: int = 1, last: int = 28) -> datetime.date:
    return datetime.date(year, month, first + int(rng.random() * (last - first + 1)))


def _meetings(rng: random.Random, life: VillageLife, year: int) -> list[dict]:
    """The year's 三会一课 and theme days: a weak branch misses some months."""
    s = life.strength(year)
    members = life.members[year]
    groups = life.party_groups[year]
    committee = life.facts["committee_size"][year]
    miss = 0.22 * (1 - s) ** 1.5  # chance of missing any one required meeting
    rows = []

    def held(kind: str, months: list[int], attendance, first: int = 1, last: int = 28) -> None:
        topics = TOPICS[kind]
        for month in months:
            if rng.random() < miss:
                continue
            rows.append({"date": _day(rng, year, month, first, last), "kind": kind,
                         "topic": topics[int(rng.random() * len(topics))], "attendance": attendance()})

    def part(low: float, high: float) -> int:
        return max(1, min(members, round(members * rng.uniform(low, high))))

    # 党员大会: quarterly, quorate (more than half of the members present).
    held(MeetingKind.PARTY_CONGRESS, [3, 6, 9, 12], lambda: max(members // 2 + 1, part(0.55, 0.92)))
    # 支委会: monthly, the committee (a first secretary or a reserve cadre may sit in).
    held(MeetingKind.COMMITTEE, list(range(1, 13)),
         lambda: min(members, max(3, committee - rng.choice([0, 0, 0, 1, 1, 2]) + (rng.random() < 0.2))))
    # 党小组会: each party group meets about every other month; attended by that group.
    per_group = max(1, members // groups)
    group_months = sorted(rng.choice(range(1, 13)) for _ in range(max(12, round(groups * rng.uniform(1.2, 2.2)))))
    held(MeetingKind.GROUP, group_months, lambda: max(2, min(members, round(per_group * rng.uniform(0.65, 1.0)))))
    # 党课: quarterly, for all members.
    held(MeetingKind.PARTY_LECTURE, [2, 5, 8, 11], lambda: part(0.5, 0.9))
    # 主题党日: monthly, usually early in the month.
    held(MeetingKind.THEME_DAY, list(range(1, 13)), lambda: part(0.55, 0.95), 1, 12)
    return rows


def plan(world: DemoWorld) -> None:
    return None


def rows(world: DemoWorld, year: int) -> list:
    from wuqiang.core.demo.entries import SheetRows

    rng = world.rng(Pillar.ORGANIZATIONS, year)
    sheet = SheetRows(Pillar.ORGANIZATIONS)
    meetings, matters, cases = (sheet.records_of(m) for m in (Meeting, MajorMatter, WeakCase))
    typo = world.story("households-typo")
    for life in world.villages:
        s = life.strength(year)
        households = life.households[year]
        grids = life.grids[year]
        # SPEC §7: every secretary took part in the 2021 擂台比武.
        participated = year == ANCHOR_YEAR or life.yes(f"competition-{year}", year, 0.85, 1.0)
        sheet.profiles[life.pk] = {
            "org_type": _org_type(life),
            "party_members": life.members[year],
            "households": households * 10 if typo and (typo.year, typo.village_id) == (year, life.pk) else households,
            "grids": grids,
            "grids_with_party_group": life.party_groups[year],
            "linked_households": round(households * life.share("linked", year, 0.5, 1.0, noise=0.04)),
            "secretary_is_director": life.facts["one_person"][year],
            "standardisation_passed": life.yes("standardisation", year, 0.35, 1.1),
            "points_system": life.yes("points-system", year, 0.45, 1.1),
            "competition_participated": participated,
            "competition_score": cents(clip(rng.gauss(68 + 22 * s, 5), 40, 99.5)) if participated else None,
        }
        meetings[life.pk] = _meetings(rng, life, year)
        matters[life.pk] = sorted((
            {"title": rng.choice(MATTERS), "date": _day(rng, year, rng.randint(1, 12)),
             "four_deliberations": rng.random() < 0.7 + 0.3 * s, "made_public": rng.random() < 0.75 + 0.25 * s}
            for _ in range(rng.randint(1, 6))), key=lambda m: m["date"])
        cases[life.pk] = _weak_cases(rng, life, year)
    return [sheet]


def _weak_cases(rng: random.Random, life: VillageLife, year: int) -> list[dict]:
    """Weak branches are listed for rectification (软弱涣散); most are rectified within the year,
    the rest carry the veto."""
    s = life.strength(year)
    if life.traits.u(f"weak-{year}") >= 0.09 * (1 - s) ** 2:
        return []
    rectified = rng.random() < 0.35 + 0.5 * s
    day = min(_day(rng, year, rng.randint(6, 12)), LAST_RECTIFICATION) if rectified else None
    return [{"reasons": rng.choice(WEAK_REASONS), "measures": WEAK_MEASURES,
             "status": WeakCaseStatus.RECTIFIED if rectified else WeakCaseStatus.RECTIFYING, "rectified_on": day}]
