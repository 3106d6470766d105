from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EntriesConfig(AppConfig):
    """The machinery the five pillar apps share: entry state, review workflow, history."""

    name = "wuqiang.entries"
    label = "entries"
    verbose_name = _("Data entry and review")
