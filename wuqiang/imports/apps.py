from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportsConfig(AppConfig):
    """Excel templates per pillar sheet and the uploads that apply them through the entry services."""

    name = "wuqiang.imports"
    label = "imports"
    verbose_name = _("Excel import")
