from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class SecurityConfig(AppConfig):
    name = "wuqiang.security"
    label = "security"
    verbose_name = _("Sign-in security")
    default = True

    def ready(self) -> None:
        from wuqiang.security import receivers  # noqa: F401  (connects the sign-in signals)


class PortalAdminConfig(admin_apps.AdminConfig):
    """Django's admin, with the portal's admin site as ``admin.site``."""

    default = False
    default_site = "wuqiang.security.admin_site.PortalAdminSite"
