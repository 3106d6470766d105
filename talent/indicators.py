"""The 人才队伍强 indicators T1–T8 and the pillar's key figures (people and pay).

Scores and figures read approved entries only (see ``wuqiang.scoring.indicators``). "In post"
is ``talent.models.in_post`` (the condition ``SentDown.objects.in_post(year)`` filters by).
"""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from talent.choices import (
    COLLEGE_OR_ABOVE,
    DEPUTY_POSTS,
    LEADER_KINDS,
    PRINCIPAL_POSTS,
    CadrePost,
    SentDownKind,
    TraineeKind,
)
from talent.models import in_post
from wuqiang.entries.models import Pillar
from wuqiang.scoring.indicators import (
    Kind,
    any_among,
    approved_entries,
    as_float,
    figures,
    indicator,
    share,
)

P = Pillar.TALENT
PROFILE = "talent_talentprofile"
CADRES = "talent_cadre_set"
# A 两委 member counts as young below this age in the year (T4).
YOUNG_AGE = 35
TRAINING_HOURS_TARGET = 40.0


def _approved(year: int) -> QuerySet:
    return approved_entries(year, P).values("village_id")


# T1–T7 and the figures are conditional counts over one join of each record list (cadres,
# postings, trainees), so the roll-up reads each list once for all of them (queries with the
# same joins share one scan). "In post" is talent.models.in_post.
SENT_DOWN = "talent_sentdown_set"
TRAINEES = "talent_trainee_set"


def _posted(year: int, *kinds: str) -> Q:
    return in_post(year, f"{SENT_DOWN}__") & Q(**{f"{SENT_DOWN}__kind__in": list(kinds)})


@indicator("T1", pillar=P, kind=Kind.FLAG, description=_("A resident first secretary in post"))
def first_secretary(year: int) -> QuerySet:
    return _approved(year).annotate(value=any_among(SENT_DOWN, _posted(year, SentDownKind.FIRST_SECRETARY)))


@indicator("T2", pillar=P, kind=Kind.COUNT, description=_("Resident work-team members in post"))
def team_members(year: int) -> QuerySet:
    return _approved(year).annotate(
        value=as_float(Count(SENT_DOWN, filter=_posted(year, SentDownKind.TEAM_MEMBER))))


@indicator("T3", pillar=P, description=_("Village committee members with college education or above / members"),
           unit=pgettext_lazy("counting unit", "members"))
def cadres_educated(year: int) -> QuerySet:
    educated = Count(CADRES, filter=Q(**{f"{CADRES}__education__in": sorted(COLLEGE_OR_ABOVE)}))
    return _approved(year).annotate(**share(educated, Count(CADRES)))


@indicator("T4", pillar=P, kind=Kind.FLAG, description=_("A village committee member under 35"))
def young_cadre(year: int) -> QuerySet:
    return _approved(year).annotate(value=any_among(CADRES, Q(**{f"{CADRES}__birth_year__gt": year - YOUNG_AGE})))


@indicator("T5", pillar=P, kind=Kind.COUNT, description=_("Village reserve cadres in training"))
def reserve_trainees(year: int) -> QuerySet:
    return _approved(year).annotate(
        value=as_float(Count(TRAINEES, filter=Q(**{f"{TRAINEES}__kind": TraineeKind.RESERVE}))))


@indicator("T6", pillar=P, kind=Kind.FLAG, description=_("A leading-talent trainee"))
def leader_trainee(year: int) -> QuerySet:
    return _approved(year).annotate(value=any_among(TRAINEES, Q(**{f"{TRAINEES}__kind__in": sorted(LEADER_KINDS)})))


@indicator("T7", pillar=P, kind=Kind.FLAG,
           description=_("A science and technology commissioner or rural revitalisation instructor in post"))
def instructor_or_commissioner(year: int) -> QuerySet:
    return _approved(year).annotate(value=any_among(
        SENT_DOWN, _posted(year, SentDownKind.TECH_COMMISSIONER, SentDownKind.REVITALIZATION_INSTRUCTOR)))


@indicator("T8", pillar=P, description=_("Secretary's training hours / 40"),
           unit=pgettext_lazy("counting unit", "hours"))
def secretary_training(year: int) -> QuerySet:
    return _approved(year).annotate(**share(f"{PROFILE}__secretary_training_hours", TRAINING_HOURS_TARGET))


@figures("talent-sent-down", pillar=P, columns=(
    "sent_down_in_post", "instructors_in_post", "tech_commissioners_in_post"))
def sent_down_figures(year: int) -> QuerySet:
    # One join and conditional counts (the same join as T1, T2 and T7).
    return approved_entries(year, P).values("village_id").annotate(
        sent_down_in_post=Count(SENT_DOWN, filter=_posted(year, SentDownKind.FIRST_SECRETARY,
                                                           SentDownKind.TEAM_MEMBER)),
        instructors_in_post=Count(SENT_DOWN, filter=_posted(year, SentDownKind.REVITALIZATION_INSTRUCTOR)),
        tech_commissioners_in_post=Count(SENT_DOWN, filter=_posted(year, SentDownKind.TECH_COMMISSIONER)),
    )


@figures("talent-trainees", pillar=P, columns=("leader_trainees", "reserve_trainees", "trainees_now_cadre"))
def trainee_figures(year: int) -> QuerySet:
    return approved_entries(year, P).values("village_id").annotate(
        leader_trainees=Count(TRAINEES, filter=Q(**{f"{TRAINEES}__kind__in": sorted(LEADER_KINDS)})),
        reserve_trainees=Count(TRAINEES, filter=Q(**{f"{TRAINEES}__kind": TraineeKind.RESERVE})),
        trainees_now_cadre=Count(TRAINEES, filter=Q(**{f"{TRAINEES}__now_cadre": True})),
    )


# Pay groups of SPEC §7: 一肩挑 / 村正职 (secretary, director) / 村副职 (deputies and members).
PAY_GROUPS = {
    "combined": [CadrePost.SECRETARY_DIRECTOR],
    "principal": sorted(PRINCIPAL_POSTS),
    "deputy": sorted(DEPUTY_POSTS),
}


@figures("talent-pay", pillar=P, columns=tuple(
    f"pay_{group}_{what}" for group in PAY_GROUPS for what in ("sum", "count")))
def pay_figures(year: int) -> QuerySet:
    columns = {}
    for group, posts in PAY_GROUPS.items():
        paid = Q(**{f"{CADRES}__post__in": posts, f"{CADRES}__monthly_pay__isnull": False})
        columns[f"pay_{group}_sum"] = Coalesce(Sum(f"{CADRES}__monthly_pay", filter=paid), Value(0))
        columns[f"pay_{group}_count"] = Count(CADRES, filter=paid)
    return approved_entries(year, P).values("village_id").annotate(**columns)
