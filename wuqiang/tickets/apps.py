from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TicketsConfig(AppConfig):
    """Inspection tickets (督查罚单): problems found in inspection, answered, verified and closed."""

    name = "wuqiang.tickets"
    label = "tickets"
    verbose_name = _("Inspection tickets")
