from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EconomyConfig(AppConfig):
    name = "economy"
    verbose_name = _("Strong collective economy")

    def ready(self) -> None:
        from . import pillar  # noqa: F401
