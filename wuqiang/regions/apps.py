from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegionsConfig(AppConfig):
    name = "wuqiang.regions"
    label = "regions"
    verbose_name = _("Hierarchy and years")

    def ready(self) -> None:
        from wuqiang.regions import receivers  # noqa: F401
