from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TalentConfig(AppConfig):
    name = "talent"
    verbose_name = _("Strong talent team")

    def ready(self) -> None:
        from . import pillar  # noqa: F401
