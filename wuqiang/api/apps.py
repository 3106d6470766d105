from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    """The REST API (/api/v1/): one more adapter on the entry services and the scope rule, with
    the personal access tokens that authenticate other systems."""

    name = "wuqiang.api"
    label = "api"
    verbose_name = _("API")

    def ready(self) -> None:
        from wuqiang.api import schema  # noqa: F401  (registers the schema's authentication schemes)
