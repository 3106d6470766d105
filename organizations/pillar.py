"""The 组织功能强 sheet: the branch profile with its meetings, major matters and weak cases."""

from django.utils.translation import gettext_lazy as _

from organizations.forms import BranchProfileForm, MajorMatterForm, MeetingForm, WeakCaseForm
from organizations.models import BranchProfile, MajorMatter, Meeting, WeakCase
from organizations.selectors import meeting_pace, meeting_progress
from wuqiang.entries.models import Pillar
from wuqiang.entries.quality import watch
from wuqiang.entries.registry import PillarSheet, RecordSheet, register
from wuqiang.entries.rules import RecordAtMostProfile

SHEET = register(
    PillarSheet(
        pillar=Pillar.ORGANIZATIONS,
        profile_model=BranchProfile,
        profile_form=BranchProfileForm,
        records=(
            RecordSheet(Meeting, MeetingForm, _("Meetings and theme days"),
                        progress=meeting_progress),
            RecordSheet(MajorMatter, MajorMatterForm, _("Major matters")),
            RecordSheet(WeakCase, WeakCaseForm, _("Weak-and-lax cases")),
        ),
        required_fields=(
            "org_type", "party_members", "households", "grids", "grids_with_party_group", "linked_households",
            "secretary_is_director", "standardisation_passed", "points_system", "competition_participated",
        ),
        fieldsets=(
            (_("Branch"), ("org_type", "party_members", "secretary_is_director")),
            (_("Grids and households"), ("households", "grids", "grids_with_party_group", "linked_households")),
            (_("Standing"), ("standardisation_passed", "points_system")),
            (_("Secretary competition"), ("competition_participated", "competition_score")),
        ),
        rules=(
            # Attendance counts the branch's party members present (SPEC §7: attendance ≤ members).
            RecordAtMostProfile(
                Meeting, "attendance", "party_members",
                row_message=_("Attendance cannot exceed the branch's %(limit)s party members."),
                profile_message=_("%(count)s meetings list more attendees (up to %(largest)s) than this number of "
                                  "party members: correct their attendance or the number of members."),
            ),
        ),
        board_alerts=meeting_pace,
        # SPEC §6: households should not move by more than a fifth in a year.
        watched=(watch("households", low="0.8", high="1.2"),),
    )
)
