"""Demo values for 治理能力强, read off each village's persistent profile.

Councils, tools and services persist once set up and spread as villages get better run; the
大走访 visits at most every household the organisation sheet counts (the rule spanning the two
sheets), and disputes resolved never exceed disputes.
"""

from __future__ import annotations

from wuqiang.core.demo.life import DemoWorld
from wuqiang.entries.models import Pillar

OTHER_TOOLS = ["", "", "", "院坝会", "积分超市", "村民说事", "道德红黑榜"]
# About one village in four hundred has a major incident in a year (a veto item).
INCIDENT_CHANCE = 0.0035


def plan(world: DemoWorld) -> None:
    return None


def rows(world: DemoWorld, year: int) -> list:
    from wuqiang.core.demo.entries import SheetRows

    rng = world.rng(Pillar.GOVERNANCE, year)
    sheet = SheetRows(Pillar.GOVERNANCE)
    for life in world.villages:
        households = life.households[year]
        s = life.strength(year)
        disputes = rng.randint(0, 4 + households // 60)
        unresolved = 0 if life.yes(f"disputes-{year}", year, 0.4, 1.05) else rng.randint(1, max(1, disputes // 4))
        visited = households if life.yes(f"visits-{year}", year, 0.3, 1.05) else round(
            households * life.share("visits", year, 0.7, 0.98))
        sheet.profiles[life.pk] = {
            "rules_revised_filed": life.yes("rules", year, 0.6, 1.1),
            "council_villagers": life.yes("council-villagers", year, 0.65, 1.1),
            "council_ceremonies": life.yes("council-ceremonies", year, 0.55, 1.1),
            "council_morality": life.yes("council-morality", year, 0.4, 1.05),
            "tool_points": life.yes("tool-points", year, 0.45, 1.05),
            "tool_red_black": life.yes("tool-red-black", year, 0.3, 1.0),
            "tool_stewards": life.yes("tool-stewards", year, 0.1, 0.85),
            "other_tools": OTHER_TOOLS[int(life.traits.u("other-tools") * len(OTHER_TOOLS))],
            "households_visited": min(visited, households),
            "disputes": disputes,
            "disputes_resolved": max(0, disputes - unresolved),
            "one_stop_service": life.yes("one-stop", year, 0.6, 1.1),
            "model_selection_held": life.yes(f"model-selection-{year}", year, 0.55, 1.1),
            "major_incident": life.traits.u(f"incident-{year}") < INCIDENT_CHANCE * (1.6 - s),
        }
    return [sheet]
