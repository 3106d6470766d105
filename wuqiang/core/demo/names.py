"""Synthetic but plausible Chinese personal names and work units for demo records."""

from __future__ import annotations

import random

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蔡蒋余于杜叶程魏苏吕丁任沈姚卢姜崔钟谭陆汪范金"
    "石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = "德明华国建文军平志伟红英玉兰芳林强秀云海波春梅丽斌俊杰勇涛磊鹏飞静霞敏燕娟艳洪刚宇超婷倩雪琴亮成辉荣庆祥福兴"
SENDING_UNITS = [
    "遵义市委组织部", "遵义市农业农村局", "遵义市财政局", "遵义市人民医院", "遵义医科大学",
    "县委办公室", "县农业农村局", "县教育局", "县人社局", "县住建局", "县交通运输局",
    "县卫生健康局", "县自然资源局", "县林业局", "县供销社", "国家电网供电所", "中国移动县分公司",
]


def person_name(rng: random.Random) -> str:
    given = rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.7 else "")
    return rng.choice(SURNAMES) + given


def split_total(rng: random.Random, total: int, parts: int, low: int = 0) -> list[int]:
    """``parts`` non-negative integers ≥ ``low`` summing exactly to ``total``, randomly spread."""
    counts = [low] * parts
    for _ in range(total - low * parts):
        counts[rng.randrange(parts)] += 1
    return counts


def fix_sum(values: list[int], target: int, low: int, high: int) -> list[int]:
    """Nudge values (each kept within [low, high]) until they sum exactly to ``target``."""
    values = list(values)
    gap = target - sum(values)
    for i in range(len(values)):
        if gap == 0:
            break
        room = high - values[i] if gap > 0 else low - values[i]
        step = min(gap, room) if gap > 0 else max(gap, room)
        values[i] += step
        gap -= step
    if gap:
        raise ValueError(f"cannot reach {target} within [{low}, {high}] per value")
    return values
