"""Choices for the support pillar (要素保障强).

The support sheets are yes/no questions and amounts; these groupings name what scoring
counts together.
"""

# The 五小 (小食堂, 小厕所, 小澡堂, 小图书室, 小文体活动室) and 周转房 (scoring item S6).
FACILITY_FIELDS = ("canteen", "toilet", "bathhouse", "library", "activity_room", "turnover_housing")
