"""Demo inspection tickets (督查罚单): a few per county in every state, some overdue, issued and
worked through the ticket services so timelines, tallies and audit events are real."""

from __future__ import annotations

import datetime
import random

from wuqiang.accounts.models import User
from wuqiang.core.demo.hierarchy import DemoCity
from wuqiang.core.demo.users import ADMIN_USERNAME, clerk_username, reviewer_username
from wuqiang.tickets import services
from wuqiang.tickets.models import Category, Severity, Ticket, today

PROBLEMS = [
    ("三会一课记录不全", "支部委员会会议记录缺少 3 月、4 月两次，党员大会无签到表。", Category.ORGANIZATION),
    ("村务公开栏未及时更新", "公开栏仍为上季度财务收支，未公开本季度项目资金使用情况。", Category.GOVERNANCE),
    ("后备力量培养台账缺失", "未建立村级后备力量培养台账，培养对象名单与实际不符。", Category.TALENT),
    ("集体经济收支账目不清", "合作社收益分配未经村民代表会议讨论，账目未按月公开。", Category.ECONOMY),
    ("村级活动场所管理不规范", "活动场所被挪作仓库使用，党员活动室未正常开放。", Category.SUPPORT),
    ("主题党日活动流于形式", "主题党日记录内容雷同，缺少活动照片和党员参与情况。", Category.ORGANIZATION),
]
ANSWERS = ["已补齐会议记录并组织支委学习会议制度。", "已更新公开栏并建立每月更新台账。",
           "已建立台账，经乡镇党委审核后报县委组织部备案。"]


def build_tickets(city: DemoCity, seed: int) -> int:
    """Two tickets per county from its reviewer and a few from the city; none if any exist."""
    if Ticket.objects.filter(municipality=city.municipality).exists():
        return 0
    rng = random.Random(seed)
    users = {u.username: u for u in User.objects.filter(
        username__in=[ADMIN_USERNAME, *(reviewer_username(c.code) for c in city.counties),
                      *(clerk_username(t.code) for t in city.townships)])}
    villages_of: dict[int, list] = {}
    for village in city.villages:
        villages_of.setdefault(village.township_id, []).append(village)
    townships_of: dict[int, list] = {}
    for township in city.townships:
        townships_of.setdefault(township.county_id, []).append(township)
    made = 0
    for n, county in enumerate(city.counties):
        reviewer = users[reviewer_username(county.code)]
        for k in range(2):
            township = rng.choice(townships_of[county.pk])
            unit = rng.choice(villages_of.get(township.pk) or [township]) if k == 0 else township
            title, problem, category = PROBLEMS[(n + k) % len(PROBLEMS)]
            data = services.TicketInput(title=title, problem=problem, category=category,
                                        severity=rng.choice(list(Severity.values)),
                                        deadline=today() + datetime.timedelta(days=rng.randint(5, 30)))
            ticket = services.ticket_issue(actor=reviewer, unit=unit, data=data)
            made += 1
            clerk = users[clerk_username(township.code)]
            fate = made % 4
            if fate == 1:  # overdue: issued weeks ago, never answered
                late = today() - datetime.timedelta(days=rng.randint(2, 20))
                Ticket.objects.filter(pk=ticket.pk).update(deadline=late)
            elif fate >= 2:
                services.ticket_answer(ticket=ticket, actor=clerk, answer=ANSWERS[(n + k) % len(ANSWERS)])
                if fate == 3:
                    services.ticket_close(ticket=ticket, actor=reviewer, comment="经现场核查，整改到位。")
    admin = users[ADMIN_USERNAME]
    for county in city.counties[:3]:
        data = services.TicketInput(title="基层党建责任清单落实滞后", problem="县级抓乡促村责任清单未按季度调度。",
                                    category=Category.OTHER, severity=Severity.NOTICE,
                                    deadline=today() + datetime.timedelta(days=20))
        services.ticket_issue(actor=admin, unit=county, data=data)
        made += 1
    services.tally_refresh(municipality_id=city.municipality.pk)
    return made
