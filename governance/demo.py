"""Demo values for 治理能力强, consistent with the households entered under organizations."""

from __future__ import annotations

from governance.models import GovernanceProfile


def generate(ctx) -> None:
    rng = ctx.rng
    households = ctx.shared.get("households", {})
    profiles = []
    for village in ctx.villages:
        entry_id = ctx.entries.get(village.pk)
        if entry_id is None:
            continue
        disputes = rng.randint(0, 24)
        village_households = households.get(village.pk, 600)
        profiles.append(GovernanceProfile(
            entry_id=entry_id,
            rules_revised_filed=rng.random() < 0.93,
            council_villagers=rng.random() < 0.95,
            council_ceremonies=rng.random() < 0.9,
            council_morality=rng.random() < 0.85,
            tool_points=rng.random() < 0.8,
            tool_red_black=rng.random() < 0.7,
            tool_stewards=rng.random() < 0.5,
            other_tools=rng.choice(["", "", "", "院坝会", "积分超市"]),
            households_visited=round(village_households * (1 if rng.random() < 0.6 else rng.uniform(0.8, 1))),
            disputes=disputes,
            disputes_resolved=disputes - (0 if rng.random() < 0.75 else rng.randint(0, min(3, disputes))),
            one_stop_service=rng.random() < 0.92,
            model_selection_held=rng.random() < 0.88,
            major_incident=rng.random() < 0.003,
        ))
    GovernanceProfile.objects.bulk_create(profiles, batch_size=2000)
