"""Choices for the governance pillar (治理能力强).

The governance profile is all yes/no questions and counts; these groupings name the
questions that scoring counts together.
"""

# 村民议事会, 红白理事会, 道德评议会 (scoring item G2).
COUNCIL_FIELDS = ("council_villagers", "council_ceremonies", "council_morality")
# 积分制, 红黑榜, 寨管家 (scoring item G5).
TOOL_FIELDS = ("tool_points", "tool_red_black", "tool_stewards")
