"""Demo values for 人才队伍强: the people of each village through the years.

Each village has one roster: its 两委 cadres (the 2021 election replaced some and made almost
every secretary also the director), the personnel posted to it with real start and end dates
(a posting is listed in every year it overlaps), and its talent pool, whose members become
cadres — a cadre "from the reserve pool" is the same person as a trainee marked "now 两委", so
the two counts agree in every village and year. 2021's counts and pay reproduce SPEC §7.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field
from decimal import Decimal

from talent.choices import CadrePost, Education, Gender, SentDownKind, TraineeKind, TraineeSource
from talent.models import Cadre, SentDown, Trainee
from wuqiang.core.demo.life import ANCHOR_YEAR, DemoWorld, VillageLife, clip
from wuqiang.core.demo.names import SENDING_UNITS, person_name
from wuqiang.entries.models import Pillar

# SPEC §7, 2021.
SEPARATE_SECRETARY_2021 = 22  # 1706 of 1728 secretaries are also the director
FIRST_SECRETARIES_AND_TEAM_2021 = 2966
INSTRUCTORS_2021 = 269
TECH_COMMISSIONERS_2021 = 334
LEADER_TRAINEES_2021 = 563
RESERVE_TRAINEES_2021 = 13_749
TRAINEES_NOW_CADRES_2021 = 5_116
MEAN_PAY_2021 = {"combined": 4804, "principal": 4262, "deputy": 3695}

# Before the 2021 election about one village in five had a separate secretary and director.
SEPARATE_SHARE_2020 = 0.2
PAY_BOUNDS = (2500, 8000)
# Pay rose about 5 % into 2021 and 4 % into 2022.
PAY_LEVEL = {2020: 1 / 1.055, 2021: 1.0, 2022: 1.04}
TRAINING_HOURS = [16, 24, 32, 40, 48, 56, 72]

PRINCIPALS = (CadrePost.SECRETARY_DIRECTOR, CadrePost.SECRETARY, CadrePost.DIRECTOR)
POST_ORDER = {post: i for i, post in enumerate(CadrePost.values)}
TRAINEE_SOURCES = ([TraineeSource.VOCATIONAL_STUDENT, TraineeSource.VETERAN, TraineeSource.RETURNEE,
                    TraineeSource.OTHER], [20, 25, 40, 15])


@dataclass
class Person:
    name: str
    gender: str
    birth_year: int
    education: str

    def values(self) -> dict:
        return {"name": self.name, "gender": self.gender, "birth_year": self.birth_year,
                "education": self.education}


@dataclass
class CadreTerm:
    """One person on a village's 两委, with their post and monthly pay in each year they serve."""

    person: Person
    posts: dict[int, str]
    pay_factor: float
    from_reserve: bool = False
    # As what this person trained in the pool, if they came from it.
    trainee_kind: str = TraineeKind.RESERVE
    trainee_source: str = TraineeSource.OTHER
    pay: dict[int, int] = field(default_factory=dict)


@dataclass
class PoolMember:
    """A talent-pool trainee not (or not yet) on the committees, in the years they are listed."""

    person: Person
    kind: str
    source: str
    years: set[int]


@dataclass
class Posting:
    """A person posted to the village from outside, from ``start`` to ``end`` (None: beyond the
    demo years)."""

    person: Person
    kind: str
    sending_unit: str
    start: datetime.date
    end: datetime.date | None

    def overlaps(self, year: int) -> bool:
        return self.start <= datetime.date(year, 12, 31) and (self.end is None or self.end >= datetime.date(year, 1, 1))


@dataclass
class VillageTalent:
    cadres: list[CadreTerm] = field(default_factory=list)
    pool: list[PoolMember] = field(default_factory=list)
    postings: list[Posting] = field(default_factory=list)

    def cadres_in(self, year: int) -> list[CadreTerm]:
        return [c for c in self.cadres if year in c.posts]


def pay_group(post: str) -> str:
    if post == CadrePost.SECRETARY_DIRECTOR:
        return "combined"
    return "principal" if post in (CadrePost.SECRETARY, CadrePost.DIRECTOR) else "deputy"


# --- People ---------------------------------------------------------------------------------


def _education(rng: random.Random, strength: float, birth_year: int) -> str:
    """Better-run villages and younger cadres have more schooling (T3 counts 大专 and above)."""
    college = 0.12 + 0.4 * strength + (0.15 if birth_year >= 1985 else 0)
    draw = rng.random()
    if draw < college:
        return Education.BACHELOR if rng.random() < 0.3 else Education.COLLEGE
    return Education.SENIOR if rng.random() < 0.65 else Education.JUNIOR


def _person(rng: random.Random, strength: float, oldest: int, youngest: int) -> Person:
    birth_year = rng.randint(oldest, youngest)
    return Person(person_name(rng), Gender.MALE if rng.random() < 0.7 else Gender.FEMALE, birth_year,
                  _education(rng, strength, birth_year))


def _staff(rng: random.Random, kind: str) -> Person:
    young = kind == SentDownKind.SELECTED_GRADUATE
    birth_year = rng.randint(1994, 1998) if young else rng.randint(1968, 1992)
    education = rng.choices([Education.BACHELOR, Education.POSTGRADUATE, Education.COLLEGE], [70, 15, 15])[0]
    return Person(person_name(rng), Gender.MALE if rng.random() < 0.65 else Gender.FEMALE, birth_year, education)


# --- The plan -------------------------------------------------------------------------------


def plan(world: DemoWorld) -> dict[int, VillageTalent]:
    """Every village's people across the demo years; hands over to the other pillars each year's
    一肩挑 fact, 两委 size, secretary's pay and whether a first secretary is in post."""
    rng = world.rng("talent")
    years = world.years
    lives = world.villages
    separate_2021 = {v.pk for v in rng.sample(lives, SEPARATE_SECRETARY_2021)}
    talents: dict[int, VillageTalent] = {}
    for life in lives:
        talents[life.pk] = _roster(rng, life, life.pk in separate_2021, years)
    _calibrate_reserve(rng, lives, talents)
    _pay(rng, lives, talents, years)
    _pool(rng, lives, talents, years)
    _postings(rng, lives, talents, years)
    for life in lives:
        talent = talents[life.pk]
        for year in years:
            cadres = talent.cadres_in(year)
            posts = [c.posts[year] for c in cadres]
            secretary = next(c for c in cadres if c.posts[year] in (CadrePost.SECRETARY_DIRECTOR, CadrePost.SECRETARY))
            life.facts.setdefault("one_person", {})[year] = CadrePost.SECRETARY_DIRECTOR in posts
            life.facts.setdefault("committee_size", {})[year] = len(cadres)
            life.facts.setdefault("secretary_pay", {})[year] = secretary.pay[year]
            life.facts.setdefault("first_secretary", {})[year] = any(
                p.kind == SentDownKind.FIRST_SECRETARY and p.overlaps(year) for p in talent.postings)
    return talents


def _roster(rng: random.Random, life: VillageLife, separate_2021: bool, years: list[int]) -> VillageTalent:
    """The 2021 两委 after the election, the 2020 one it replaced, and 2022's small changes."""
    s = life.strength(ANCHOR_YEAR)
    households = life.households[ANCHOR_YEAR]
    size = int(clip(5 + (households > 700) + (households > 1100) + (rng.random() < 0.5), 5, 9))
    principals = [CadrePost.SECRETARY, CadrePost.DIRECTOR] if separate_2021 else [CadrePost.SECRETARY_DIRECTOR]
    deputies = ([CadrePost.DEPUTY_SECRETARY] if rng.random() < 0.55 else []) + (
        [CadrePost.DEPUTY_DIRECTOR] if rng.random() < 0.5 else [])
    deputies += [CadrePost.MEMBER] * max(2, size - len(principals) - len(deputies))
    talent = VillageTalent()
    before = ANCHOR_YEAR - 1
    after = ANCHOR_YEAR + 1
    separate_before = separate_2021 or rng.random() < SEPARATE_SHARE_2020
    vacated: list[str] = []  # 2020 posts whose holder left at the election

    def term(post: str, status: str, oldest: int, youngest: int) -> CadreTerm:
        cadre = CadreTerm(_person(rng, s, oldest, youngest), {ANCHOR_YEAR: post}, rng.gauss(1, 0.045))
        if status == "continuing":
            cadre.posts[before] = post
        elif status == "promoted":
            deputy = CadrePost.DEPUTY_DIRECTOR if post == CadrePost.DIRECTOR else CadrePost.DEPUTY_SECRETARY
            cadre.posts[before] = deputy
        # The election's newcomers are mostly from the reserve pool.
        cadre.from_reserve = rng.random() < (0.8 if status == "new" else 0.3)
        return cadre

    for post in principals:
        status = rng.choices(["continuing", "promoted", "new"], [55, 20, 25])[0]
        cadre = term(post, status, 1963, 1990)
        if post == CadrePost.SECRETARY_DIRECTOR:
            if status == "continuing" and separate_before:
                # Before the election this secretary was not yet also the director.
                cadre.posts[before] = CadrePost.SECRETARY
                vacated.append(CadrePost.DIRECTOR)
            elif status != "continuing":
                vacated += [CadrePost.SECRETARY, CadrePost.DIRECTOR] if separate_before else [post]
        elif status != "continuing":
            vacated.append(post)
        talent.cadres.append(cadre)
    new_deputies = 0
    for post in deputies:
        status = "continuing" if rng.random() < 0.55 else "new"
        new_deputies += status == "new"
        talent.cadres.append(term(post, status, 1963, 1999))
    # Those who left at the election: the principals replaced, and about as many deputies as came in.
    vacated += [CadrePost.MEMBER] * max(0, new_deputies + rng.randint(-1, 1))
    for post in vacated:
        leaver = CadreTerm(_person(rng, s * 0.8, 1958, 1985), {before: post}, rng.gauss(1, 0.045))
        leaver.from_reserve = rng.random() < 0.25
        talent.cadres.append(leaver)

    # 2022: everyone stays on, but now and then a deputy leaves and a newcomer takes the seat.
    if after in years:
        for cadre in list(talent.cadres):
            post = cadre.posts.get(ANCHOR_YEAR)
            if post is None:
                continue
            if post not in PRINCIPALS and rng.random() < 0.04:
                newcomer = CadreTerm(_person(rng, s, 1975, 2000), {after: post}, rng.gauss(1, 0.045))
                newcomer.from_reserve = rng.random() < 0.6
                talent.cadres.append(newcomer)
            else:
                cadre.posts[after] = post
    for cadre in talent.cadres:
        for year in list(cadre.posts):
            if year not in years:
                del cadre.posts[year]
    talent.cadres = [c for c in talent.cadres if c.posts]
    _check_principals(talent, years)
    return talent


def _check_principals(talent: VillageTalent, years: list[int]) -> None:
    """Every year has a secretary (alone or also the director) and, if separate, a director."""
    for year in years:
        posts = [c.posts[year] for c in talent.cadres_in(year)]
        combined = posts.count(CadrePost.SECRETARY_DIRECTOR)
        separate = posts.count(CadrePost.SECRETARY), posts.count(CadrePost.DIRECTOR)
        if not ((combined == 1 and separate == (0, 0)) or (combined == 0 and separate == (1, 1))):
            raise AssertionError(f"{year}: inconsistent principal posts {posts}")


def _calibrate_reserve(rng: random.Random, lives: list[VillageLife], talents: dict[int, VillageTalent]) -> None:
    """Exactly 5,116 of 2021's cadres came from the reserve pool (SPEC §7), by turning the flag
    of cadres who served before 2021 too (so it stays the same person's fact every year)."""
    cadres = [c for life in lives for c in talents[life.pk].cadres_in(ANCHOR_YEAR)]
    gap = TRAINEES_NOW_CADRES_2021 - sum(c.from_reserve for c in cadres)
    veterans = [c for c in cadres if ANCHOR_YEAR - 1 in c.posts and c.from_reserve == (gap < 0)]
    for cadre in rng.sample(veterans, abs(gap)):
        cadre.from_reserve = gap > 0
    # A few of those who came from the pool trained as leading talent (领军人才).
    for cadre in cadres:
        if cadre.from_reserve:
            cadre.trainee_source = rng.choices(*TRAINEE_SOURCES)[0]
            if rng.random() < 0.025:
                cadre.trainee_kind = (TraineeKind.LEADER_MUNICIPAL if rng.random() < 0.2
                                      else TraineeKind.LEADER_COUNTY)
    for life in lives:
        for cadre in talents[life.pk].cadres:
            if cadre.from_reserve and ANCHOR_YEAR not in cadre.posts:
                cadre.trainee_source = rng.choices(*TRAINEE_SOURCES)[0]


def _pay(rng: random.Random, lives: list[VillageLife], talents: dict[int, VillageTalent], years: list[int]) -> None:
    """Monthly pay by post group and county; each person's level persists. 2021's means are
    SPEC §7's exactly (the sampling error is spread evenly over the group)."""
    low, high = PAY_BOUNDS
    for life in lives:
        for cadre in talents[life.pk].cadres:
            for year, post in cadre.posts.items():
                cadre.pay[year] = round(clip(MEAN_PAY_2021[pay_group(post)] * life.county.pay * cadre.pay_factor
                                             * PAY_LEVEL.get(year, 1.0), low, high))
    if ANCHOR_YEAR not in years:
        return
    groups: dict[str, list[CadreTerm]] = {g: [] for g in MEAN_PAY_2021}
    for life in lives:
        for cadre in talents[life.pk].cadres_in(ANCHOR_YEAR):
            groups[pay_group(cadre.posts[ANCHOR_YEAR])].append(cadre)
    for group, cadres in groups.items():
        gap = MEAN_PAY_2021[group] * len(cadres) - sum(c.pay[ANCHOR_YEAR] for c in cadres)
        each, rest = divmod(gap, len(cadres))
        lucky = set(rng.sample(range(len(cadres)), rest))
        for i, cadre in enumerate(cadres):
            cadre.pay[ANCHOR_YEAR] += each + (i in lucky)


def _pool(rng: random.Random, lives: list[VillageLife], talents: dict[int, VillageTalent], years: list[int]) -> None:
    """The talent pool (双培养): SPEC §7's 2021 counts, members joining and leaving around it,
    and the newcomers of 2021 and 2022 who sat in it before they were elected."""
    before, after = ANCHOR_YEAR - 1, ANCHOR_YEAR + 1
    from_pool_2021 = [c for life in lives for c in talents[life.pk].cadres_in(ANCHOR_YEAR) if c.from_reserve]
    leaders_on_committee = sum(c.trainee_kind != TraineeKind.RESERVE for c in from_pool_2021)
    reserve_left = RESERVE_TRAINEES_2021 - (len(from_pool_2021) - leaders_on_committee)
    leaders_left = LEADER_TRAINEES_2021 - leaders_on_committee

    # Everyone keeps at least one reserve trainee; bigger, better-run villages train more.
    weights = [(0.5 + life.strength(ANCHOR_YEAR)) * life.households[ANCHOR_YEAR] for life in lives]
    reserve = [1] * len(lives)
    for i in rng.choices(range(len(lives)), weights, k=reserve_left - len(lives)):
        reserve[i] += 1
    leaders = [0] * len(lives)
    for i in rng.choices(range(len(lives)), [0.2 + life.strength(ANCHOR_YEAR) for life in lives], k=leaders_left):
        leaders[i] += 1

    for life, n_reserve, n_leaders in zip(lives, reserve, leaders, strict=True):
        s = life.strength(ANCHOR_YEAR)
        talent = talents[life.pk]
        kinds = [TraineeKind.RESERVE] * n_reserve + [
            TraineeKind.LEADER_MUNICIPAL if rng.random() < 0.2 else TraineeKind.LEADER_COUNTY
            for _ in range(n_leaders)]
        for kind in kinds:
            listed = {ANCHOR_YEAR}
            if before in years and rng.random() < 0.85:
                listed.add(before)
            if after in years and rng.random() < 0.94:
                listed.add(after)
            talent.pool.append(PoolMember(_person(rng, s, 1982, 2001), kind, rng.choices(*TRAINEE_SOURCES)[0], listed))
        if before in years:
            # 2021's newcomers from the pool were still trainees in 2020; a few others left.
            for cadre in talent.cadres:
                if cadre.from_reserve and before not in cadre.posts and ANCHOR_YEAR in cadre.posts:
                    talent.pool.append(PoolMember(cadre.person, cadre.trainee_kind, cadre.trainee_source, {before}))
            for _ in range(rng.randint(0, 1)):
                talent.pool.append(PoolMember(_person(rng, s, 1980, 2000), TraineeKind.RESERVE,
                                              rng.choices(*TRAINEE_SOURCES)[0], {before}))
        if after in years:
            # 2022's newcomers from the pool are 2021 trainees who were elected or co-opted.
            waiting = [m for m in talent.pool if ANCHOR_YEAR in m.years and m.kind == TraineeKind.RESERVE]
            for cadre in talent.cadres:
                if cadre.from_reserve and set(cadre.posts) == {after}:
                    if waiting:
                        member = waiting.pop()
                        member.years.discard(after)
                        cadre.person, cadre.trainee_kind, cadre.trainee_source = (
                            member.person, member.kind, member.source)
                    else:
                        cadre.trainee_source = rng.choices(*TRAINEE_SOURCES)[0]
            for _ in range(rng.randint(0, 2)):
                talent.pool.append(PoolMember(_person(rng, s, 1985, 2004), TraineeKind.RESERVE,
                                              rng.choices(*TRAINEE_SOURCES)[0], {after}))


def _postings(rng: random.Random, lives: list[VillageLife], talents: dict[int, VillageTalent],
              years: list[int]) -> None:
    """Postings with real dates: first secretaries and work teams on two-year terms (many rotated
    in mid-2021), selected graduates, yearly technology commissioners, and the revitalisation
    instructors the province began sending in 2021. 2021's counts are SPEC §7's."""
    d = datetime.date
    unit = rng.choice

    def posting(kind: str, start: d, end: d | None) -> Posting:
        return Posting(_staff(rng, kind), kind, unit(SENDING_UNITS), start, end)

    # First secretaries go to the weaker villages first.
    programme = [life for life in lives if rng.random() < clip(0.95 - 0.8 * life.strength(ANCHOR_YEAR), 0.1, 0.9)]
    team_slots: list[tuple[VillageLife, str]] = []  # (village, "rotated" or "kept") per team seat
    for life in programme:
        postings = talents[life.pk].postings
        start = d(2019, rng.randint(3, 5), 1)
        if rng.random() < 0.25:  # rotated with the new term in July 2021
            postings.append(posting(SentDownKind.FIRST_SECRETARY, start, d(2021, 6, 30)))
            postings.append(posting(SentDownKind.FIRST_SECRETARY, d(2021, 7, 1), None))
        else:
            postings.append(posting(SentDownKind.FIRST_SECRETARY, start, None))
        for _ in range(rng.choices([0, 1, 2, 3], [12, 38, 38, 12])[0]):
            team_slots.append((life, "rotated" if rng.random() < 0.2 else "kept"))
    team: list[tuple[VillageLife, Posting]] = []
    for life, how in team_slots:
        start = d(2019, rng.randint(4, 8), 1)
        if how == "rotated":
            team.append((life, posting(SentDownKind.TEAM_MEMBER, start, d(2021, 6, 30))))
            team.append((life, posting(SentDownKind.TEAM_MEMBER, d(2021, 7, 1), None)))
        else:
            team.append((life, posting(SentDownKind.TEAM_MEMBER, start, None)))
    first = sum(p.overlaps(ANCHOR_YEAR) for life in programme for p in talents[life.pk].postings)
    gap = FIRST_SECRETARIES_AND_TEAM_2021 - first - sum(p.overlaps(ANCHOR_YEAR) for _, p in team)
    if gap < 0:
        # Fewer team members served than planned: first those who would have joined in 2021.
        joined = [i for i, (_, p) in enumerate(team) if p.start.year == ANCHOR_YEAR]
        earlier = [i for i, (_, p) in enumerate(team) if p.start.year != ANCHOR_YEAR and p.overlaps(ANCHOR_YEAR)]
        rng.shuffle(joined)
        rng.shuffle(earlier)
        dropped = set((joined + earlier)[:-gap])
        team = [t for i, t in enumerate(team) if i not in dropped]
    for _ in range(max(gap, 0)):
        team.append((rng.choice(programme), posting(SentDownKind.TEAM_MEMBER, d(2021, rng.randint(3, 9), 1), None)))
    for life, p in team:
        talents[life.pk].postings.append(p)

    # Selected graduates (选调生) serve two years in a village.
    for life in rng.sample(lives, 300):
        start = d(rng.choice([2020, 2021]), 8, 1)
        talents[life.pk].postings.append(posting(SentDownKind.SELECTED_GRADUATE, start,
                                                 d(start.year + 2, 7, 31)))

    # Technology commissioners come each March for the season; many villages have one again.
    commissioner_villages = rng.sample(lives, TECH_COMMISSIONERS_2021)
    by_year = {ANCHOR_YEAR: commissioner_villages}
    chosen = {life.pk for life in commissioner_villages}
    others = [life for life in lives if life.pk not in chosen]
    for year in years:
        if year != ANCHOR_YEAR:
            kept = [life for life in commissioner_villages if rng.random() < 0.7]
            by_year[year] = kept + rng.sample(others, rng.randint(60, 110))
    for year, villages in by_year.items():
        for life in villages:
            talents[life.pk].postings.append(posting(SentDownKind.TECH_COMMISSIONER, d(year, 3, 1), d(year, 12, 31)))

    # Revitalisation instructors: a new programme from May 2021, extended to more villages in 2022.
    for life in rng.sample(lives, INSTRUCTORS_2021):
        talents[life.pk].postings.append(posting(SentDownKind.REVITALIZATION_INSTRUCTOR, d(2021, 5, 1), None))
    if ANCHOR_YEAR + 1 in years:
        without = [life for life in lives if not any(p.kind == SentDownKind.REVITALIZATION_INSTRUCTOR
                                                     for p in talents[life.pk].postings)]
        for life in rng.sample(without, 40):
            talents[life.pk].postings.append(posting(SentDownKind.REVITALIZATION_INSTRUCTOR, d(2022, 5, 1), None))
    for talent in talents.values():
        talent.postings.sort(key=lambda p: (p.start, p.kind))


# --- One year's rows ------------------------------------------------------------------------


def rows(world: DemoWorld, year: int) -> list:
    from wuqiang.core.demo.entries import SheetRows

    talents: dict[int, VillageTalent] = world.plans[Pillar.TALENT]
    sheet = SheetRows(Pillar.TALENT)
    cadre_rows, posting_rows, trainee_rows = (sheet.records_of(m) for m in (Cadre, SentDown, Trainee))
    last_day = datetime.date(year, 12, 31)
    for life in world.villages:
        talent = talents[life.pk]
        s = life.strength(year)
        hours = TRAINING_HOURS[int(clip(round(s * 6 + (life.traits.u(f"training-{year}") - 0.5) * 3), 0, 6))]
        sheet.profiles[life.pk] = {"secretary_training_hours": Decimal(f"{hours}.0")}
        cadres = sorted(talent.cadres_in(year), key=lambda c: POST_ORDER[c.posts[year]])
        cadre_rows[life.pk] = [
            {**c.person.values(), "post": c.posts[year], "monthly_pay": c.pay[year],
             "from_reserve_pool": c.from_reserve}
            for c in cadres]
        posting_rows[life.pk] = [
            {**p.person.values(), "kind": p.kind, "sending_unit": p.sending_unit, "start_date": p.start,
             # Listed as in post until it ends; an end after the year was not known yet.
             "end_date": p.end if p.end is not None and p.end <= last_day else None}
            for p in talent.postings if p.overlaps(year)]
        trainee_rows[life.pk] = [
            *({**m.person.values(), "kind": m.kind, "source": m.source, "now_cadre": False}
              for m in talent.pool if year in m.years),
            *({**c.person.values(), "kind": c.trainee_kind, "source": c.trainee_source, "now_cadre": True}
              for c in cadres if c.from_reserve),
        ]
    return [sheet]
