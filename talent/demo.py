"""Demo values for 人才队伍强: cadres, sent-down personnel, the talent pool, training hours.

For 2021 the counts and pay sums are set so that the records reproduce SPEC §7 exactly.
"""

from __future__ import annotations

import datetime

from talent.choices import CadrePost, Education, Gender, SentDownKind, TraineeKind, TraineeSource
from talent.models import Cadre, SentDown, TalentProfile, Trainee
from wuqiang.core.demo.names import SENDING_UNITS, fix_sum, person_name, split_total

# SPEC §7, 2021.
FIRST_SECRETARIES_AND_TEAM_2021 = 2966
FIRST_SECRETARIES_2021 = 1150
INSTRUCTORS_2021 = 269
TECH_COMMISSIONERS_2021 = 334
LEADER_TRAINEES_2021 = 563
RESERVE_TRAINEES_2021 = 13_749
TRAINEES_NOW_CADRES_2021 = 5_116
MEAN_PAY_2021 = {"combined": 4804, "principal": 4262, "deputy": 3695}
PAY_BOUNDS = (2500, 7500)

CADRE_EDUCATION = ([Education.JUNIOR, Education.SENIOR, Education.COLLEGE, Education.BACHELOR],
                   [20, 38, 30, 12])
STAFF_EDUCATION = ([Education.BACHELOR, Education.POSTGRADUATE, Education.COLLEGE], [70, 15, 15])


def _person(rng, year: int, education, young: bool = False) -> dict:
    return {
        "name": person_name(rng),
        "gender": rng.choices([Gender.MALE, Gender.FEMALE], [68, 32])[0],
        "birth_year": rng.randint(year - 34, year - 22) if young else rng.randint(year - 60, year - 26),
        "education": rng.choices(*education)[0],
    }


def _pays(rng, count: int, mean: int, calibrate: bool) -> list[int]:
    low, high = PAY_BOUNDS
    pays = [min(high, max(low, round(rng.gauss(mean, 450)))) for _ in range(count)]
    return fix_sum(pays, mean * count, low, high) if calibrate and count else pays


def _cadres(ctx) -> list[Cadre]:
    rng, year = ctx.rng, ctx.year
    drift = 0 if ctx.calibrate else (year - 2021) * 180
    plan: list[tuple[int, str]] = []  # (entry id, post)
    for village in ctx.villages:
        entry_id = ctx.entries.get(village.pk)
        if entry_id is None:
            continue
        if village.pk in ctx.shared["separate_secretary"]:
            plan += [(entry_id, CadrePost.SECRETARY), (entry_id, CadrePost.DIRECTOR)]
        else:
            plan.append((entry_id, CadrePost.SECRETARY_DIRECTOR))
        deputies = [CadrePost.DEPUTY_SECRETARY] * (rng.random() < 0.6) + [CadrePost.DEPUTY_DIRECTOR] * (
            rng.random() < 0.5) + [CadrePost.MEMBER] * rng.randint(1, 4)
        plan += [(entry_id, post) for post in deputies]

    groups = {
        "combined": [i for i, (_, p) in enumerate(plan) if p == CadrePost.SECRETARY_DIRECTOR],
        "principal": [i for i, (_, p) in enumerate(plan) if p in (CadrePost.SECRETARY, CadrePost.DIRECTOR)],
        "deputy": [i for i, (_, p) in enumerate(plan) if p not in (
            CadrePost.SECRETARY_DIRECTOR, CadrePost.SECRETARY, CadrePost.DIRECTOR)],
    }
    pay = [0] * len(plan)
    for group, indexes in groups.items():
        for i, amount in zip(indexes, _pays(rng, len(indexes), MEAN_PAY_2021[group] + drift, ctx.calibrate),
                             strict=True):
            pay[i] = amount

    secretary_pay = ctx.shared.setdefault("secretary_pay", {})
    village_of_entry = {e: v for v, e in ctx.entries.items()}
    cadres = []
    for i, (entry_id, post) in enumerate(plan):
        if post in (CadrePost.SECRETARY_DIRECTOR, CadrePost.SECRETARY):
            secretary_pay[village_of_entry[entry_id]] = pay[i]
        cadres.append(Cadre(entry_id=entry_id, post=post, monthly_pay=pay[i],
                            from_reserve_pool=rng.random() < 0.15,
                            **_person(rng, year, CADRE_EDUCATION, young=rng.random() < 0.2)))
    return cadres


def _posting(rng, year: int, in_post: bool) -> tuple[datetime.date, datetime.date | None]:
    if not in_post:  # rotated out before the year began
        return datetime.date(year - 2, rng.randint(1, 12), 1), datetime.date(year - 1, rng.randint(1, 12), 28)
    start = datetime.date(rng.randint(year - 2, year), rng.randint(1, 6), 1)
    end = None if rng.random() < 0.7 else datetime.date(year, rng.randint(7, 12), 28)
    return start, end


def _sent_down(ctx) -> list[SentDown]:
    rng, year = ctx.rng, ctx.year
    villages = [v for v in ctx.villages if v.pk in ctx.entries]
    scale = 1 if ctx.calibrate else rng.uniform(0.9, 1.05)
    first = round(FIRST_SECRETARIES_2021 * scale)
    team = round((FIRST_SECRETARIES_AND_TEAM_2021 - FIRST_SECRETARIES_2021) * scale)
    placements: list[tuple[object, str, bool]] = []
    placements += [(v, SentDownKind.FIRST_SECRETARY, True) for v in rng.sample(villages, min(first, len(villages)))]
    team_counts = split_total(rng, team, len(villages))
    placements += [(v, SentDownKind.TEAM_MEMBER, True) for v, n in zip(villages, team_counts, strict=True)
                   for _ in range(n)]
    placements += [(v, SentDownKind.REVITALIZATION_INSTRUCTOR, True)
                   for v in rng.sample(villages, round(INSTRUCTORS_2021 * scale))]
    placements += [(v, SentDownKind.TECH_COMMISSIONER, True)
                   for v in rng.sample(villages, round(TECH_COMMISSIONERS_2021 * scale))]
    placements += [(v, SentDownKind.SELECTED_GRADUATE, True) for v in rng.sample(villages, 310)]
    # Some postings ended the year before: listed by the clerk, but not in post (SPEC §4.2).
    placements += [(v, rng.choice([SentDownKind.FIRST_SECRETARY, SentDownKind.TEAM_MEMBER]), False)
                   for v in rng.sample(villages, 90)]
    rows = []
    for village, kind, in_post in placements:
        start, end = _posting(rng, year, in_post)
        rows.append(SentDown(entry_id=ctx.entries[village.pk], kind=kind, sending_unit=rng.choice(SENDING_UNITS),
                             start_date=start, end_date=end,
                             **_person(rng, year, STAFF_EDUCATION, young=kind == SentDownKind.SELECTED_GRADUATE)))
    return rows


def _trainees(ctx) -> list[Trainee]:
    rng, year = ctx.rng, ctx.year
    villages = [v for v in ctx.villages if v.pk in ctx.entries]
    scale = 1 if ctx.calibrate else rng.uniform(0.85, 1.0)
    reserve = round(RESERVE_TRAINEES_2021 * scale)
    leaders = round(LEADER_TRAINEES_2021 * scale)
    kinds: list[tuple[object, str]] = []
    for village, n in zip(villages, split_total(rng, reserve, len(villages), low=3), strict=True):
        kinds += [(village, TraineeKind.RESERVE)] * n
    municipal = leaders // 5
    kinds += [(v, TraineeKind.LEADER_MUNICIPAL) for v in rng.choices(villages, k=municipal)]
    kinds += [(v, TraineeKind.LEADER_COUNTY) for v in rng.choices(villages, k=leaders - municipal)]
    now_cadre = set(rng.sample(range(len(kinds)), round(TRAINEES_NOW_CADRES_2021 * scale)))
    sources = ([TraineeSource.VOCATIONAL_STUDENT, TraineeSource.VETERAN, TraineeSource.RETURNEE, TraineeSource.OTHER],
               [20, 25, 40, 15])
    return [
        Trainee(entry_id=ctx.entries[village.pk], kind=kind, source=rng.choices(*sources)[0],
                now_cadre=i in now_cadre, **_person(rng, year, CADRE_EDUCATION, young=True))
        for i, (village, kind) in enumerate(kinds)
    ]


def generate(ctx) -> None:
    TalentProfile.objects.bulk_create(
        [TalentProfile(entry_id=e, secretary_training_hours=ctx.rng.choice([16, 24, 32, 40, 48, 56, 72]))
         for e in ctx.entries.values()],
        batch_size=2000,
    )
    Cadre.objects.bulk_create(_cadres(ctx), batch_size=5000)
    SentDown.objects.bulk_create(_sent_down(ctx), batch_size=5000)
    Trainee.objects.bulk_create(_trainees(ctx), batch_size=5000)
