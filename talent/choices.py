"""Choices for the talent-team pillar (人才队伍强)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Gender(models.TextChoices):
    MALE = "male", _("Male")  # 男
    FEMALE = "female", _("Female")  # 女


class Education(models.TextChoices):
    """Highest completed education level."""

    PRIMARY = "primary", _("Primary school or below")  # 小学及以下
    JUNIOR = "junior", _("Junior secondary")  # 初中
    SENIOR = "senior", _("Senior secondary or vocational")  # 高中/中专
    COLLEGE = "college", _("College (3-year)")  # 大专
    BACHELOR = "bachelor", _("Bachelor's degree")  # 本科
    POSTGRADUATE = "postgraduate", _("Postgraduate")  # 研究生


# 大专及以上 (scoring item T3).
COLLEGE_OR_ABOVE = frozenset({Education.COLLEGE, Education.BACHELOR, Education.POSTGRADUATE})


class CadrePost(models.TextChoices):
    """A member's post in the village 两委 (party branch committee and village committee)."""

    SECRETARY_DIRECTOR = "secretary_director", _("Secretary and director (one person)")  # 书记兼主任（一肩挑）
    SECRETARY = "secretary", _("Party secretary")  # 书记
    DIRECTOR = "director", _("Village committee director")  # 主任
    DEPUTY_SECRETARY = "deputy_secretary", _("Deputy secretary")  # 副书记
    DEPUTY_DIRECTOR = "deputy_director", _("Deputy director")  # 副主任
    MEMBER = "member", _("Committee member")  # 委员


# The two principal posts when held by different people; SECRETARY_DIRECTOR is both in one
# person (一肩挑) and is deliberately not in this set.
PRINCIPAL_POSTS = frozenset({CadrePost.SECRETARY, CadrePost.DIRECTOR})
DEPUTY_POSTS = frozenset({CadrePost.DEPUTY_SECRETARY, CadrePost.DEPUTY_DIRECTOR, CadrePost.MEMBER})


class SentDownKind(models.TextChoices):
    """Personnel posted to the village from outside (派驻力量)."""

    FIRST_SECRETARY = "first_secretary", _("Resident first secretary")  # 驻村第一书记
    TEAM_MEMBER = "team_member", _("Resident work-team member")  # 驻村工作队员
    SELECTED_GRADUATE = "selected_graduate", _("Selected graduate")  # 选调生
    TECH_COMMISSIONER = "tech_commissioner", _("Science and technology commissioner")  # 科技特派员
    REVITALIZATION_INSTRUCTOR = "revitalization_instructor", _("Rural revitalisation instructor")  # 乡村振兴指导员


class TraineeKind(models.TextChoices):
    """Which track of the talent pool (双培养) a person is trained in."""

    LEADER_MUNICIPAL = "leader_municipal", _("Leading talent trainee, municipal level")  # 市级领军人才培养对象
    LEADER_COUNTY = "leader_county", _("Leading talent trainee, county level")  # 县级领军人才培养对象
    RESERVE = "reserve", _("Village reserve cadre")  # 村级后备力量


# 领军人才 trainees at either level (scoring item T6).
LEADER_KINDS = frozenset({TraineeKind.LEADER_MUNICIPAL, TraineeKind.LEADER_COUNTY})


class TraineeSource(models.TextChoices):
    VOCATIONAL_STUDENT = "vocational_student", _("Vocational school student")  # 中职学生
    VETERAN = "veteran", _("Veteran")  # 退役军人
    RETURNEE = "returnee", _("Returnee to the village")  # 返乡人员
    OTHER = "other", _("Other")  # 其他
