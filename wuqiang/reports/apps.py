from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    """Excel reports built from the stored scorecards, and the exports kept for their users."""

    name = "wuqiang.reports"
    label = "reports"
    verbose_name = _("Reports")
