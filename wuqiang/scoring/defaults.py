"""The default scoring scheme: SPEC §5's table, exactly. Every new year starts from the
previous year's scheme, and the first year from this one."""

from __future__ import annotations

from decimal import Decimal

from wuqiang.entries.models import Pillar
from wuqiang.scoring.models import Rule, VetoCode

ORG, TAL, ECO, GOV, SUP = Pillar.ORGANIZATIONS, Pillar.TALENT, Pillar.ECONOMY, Pillar.GOVERNANCE, Pillar.SUPPORT
YES, LINEAR, BANDS = Rule.YES_NO, Rule.LINEAR, Rule.BANDS


def _linear(low: float = 0, high: float = 1, none_full: bool = False) -> dict:
    return {"low": low, "high": high, "none_full": none_full}


def _bands(*bands: tuple[float, float]) -> dict:
    return {"bands": [list(b) for b in bands]}


# (code, pillar, name, rule, params, points). Names are the campaign's own (data, not UI text).
DEFAULT_INDICATORS: list[tuple[str, str, str, str, dict, int | float]] = [
    ("O1", ORG, "一肩挑", YES, {}, 3),
    ("O2", ORG, "网格党小组覆盖率", LINEAR, _linear(), 3),
    ("O3", ORG, "党员联系户覆盖率", LINEAR, _linear(), 2),
    ("O4", ORG, "三会一课落实率", LINEAR, _linear(), 4),
    ("O5", ORG, "主题党日开展月数", LINEAR, _linear(), 2),
    ("O6", ORG, "四议两公开落实率", LINEAR, _linear(none_full=True), 3),
    ("O7", ORG, "标准化规范化建设达标", YES, {}, 2),
    ("O8", ORG, "党员积分制管理", YES, {}, 1),
    ("T1", TAL, "驻村第一书记在岗", YES, {}, 3),
    ("T2", TAL, "驻村工作队员在岗", BANDS, _bands((0, 0), (1, 1), (2, 2)), 2),
    ("T3", TAL, "两委大专及以上学历占比", LINEAR, _linear(0, 0.5), 3),
    ("T4", TAL, "35岁以下两委成员", YES, {}, 2),
    ("T5", TAL, "村级后备力量", BANDS, _bands((0, 0), (1, 1.5), (2, 3)), 3),
    ("T6", TAL, "领军人才培养对象", YES, {}, 2),
    ("T7", TAL, "科技特派员或乡村振兴指导员", YES, {}, 2),
    ("T8", TAL, "书记培训学时", LINEAR, _linear(), 3),
    ("E1", ECO, "经营性收入", BANDS, _bands((0, 0), (10, 4), (20, 7), (50, 10), (100, 12)), 12),
    ("E2", ECO, "集体经济组织登记赋码", YES, {}, 2),
    ("E3", ECO, "监事会（监督小组）", YES, {}, 2),
    ("E4", ECO, "财务公开季度", LINEAR, _linear(), 2),
    ("E5", ECO, "经营性收入增长", LINEAR, _linear(0, 0.1), 2),
    ("G1", GOV, "村规民约修订备案", YES, {}, 2),
    ("G2", GOV, "议事会、红白理事会、道德评议会", LINEAR, _linear(), 3),
    ("G3", GOV, "大走访覆盖率", LINEAR, _linear(), 4),
    ("G4", GOV, "小事不出村", LINEAR, _linear(none_full=True), 4),
    ("G5", GOV, "积分制、红黑榜、寨管家", LINEAR, _linear(), 3),
    ("G6", GOV, "一站式服务", YES, {}, 2),
    ("G7", GOV, "道德模范、最美家庭评选", YES, {}, 2),
    ("S1", SUP, "书记报酬达标", YES, {}, 5),
    ("S2", SUP, "报酬按时足额发放", LINEAR, _linear(), 3),
    ("S3", SUP, "村级阵地标准化且不少于200平方米", YES, {}, 4),
    ("S4", SUP, "带薪年休假", YES, {}, 2),
    ("S5", SUP, "健康体检", YES, {}, 2),
    ("S6", SUP, "乡镇“五小”及周转房", LINEAR, _linear(), 4),
]

DEFAULT_VETOES = [VetoCode.WEAK_UNRECTIFIED, VetoCode.INCOME_BELOW_10, VetoCode.MAJOR_INCIDENT]

DEFAULT_THRESHOLDS = {
    "exemplary_total": Decimal(90),
    "exemplary_pillar_min": Decimal(16),
    "pass_total": Decimal(75),
    "basic_total": Decimal(60),
}
