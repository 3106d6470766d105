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
            RecordSheet(Cadre, CadreForm, _("Village cadres (村两委)"), required=True),
            RecordSheet(SentDown, SentDownForm, _("Sent-down personnel (派驻力量)")),
            RecordSheet(Trainee, TraineeForm, _("Talent pool (双培养)")),
        ),
        required_fields=("secretary_training_hours",),
        fieldsets=((_("Secretary training"), ("secretary_training_hours",)),),
    )
)
