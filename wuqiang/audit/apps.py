from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "wuqiang.audit"
    label = "audit"
    verbose_name = _("Security audit log")

    def ready(self) -> None:
        from wuqiang.audit import receivers  # noqa: F401  (connects the sign-in signals)
