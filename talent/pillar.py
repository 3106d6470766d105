"""The 人才队伍强 sheet: secretary training plus the lists of cadres, sent-down personnel and
trainees."""

from django.utils.translation import gettext_lazy as _

from talent.forms import CadreForm, SentDownForm, TalentProfileForm, TraineeForm
from talent.models import Cadre, SentDown, TalentProfile, Trainee
from wuqiang.entries.models import Pillar
from wuqiang.entries.registry import PillarSheet, RecordSheet, register

SHEET = register(
    PillarSheet(
        pillar=Pillar.TALENT,
        profile_model=TalentProfile,
        profile_form=TalentProfileForm,
        records=(
            RecordSheet(Cadre, CadreForm, _("Village committee members"), required=True),
            RecordSheet(SentDown, SentDownForm, _("Sent-down personnel")),
            RecordSheet(Trainee, TraineeForm, _("Talent pool")),
        ),
        required_fields=("secretary_training_hours",),
        fieldsets=((_("Secretary training"), ("secretary_training_hours",)),),
    )
)
