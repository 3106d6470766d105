from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScoringConfig(AppConfig):
    """Scoring schemes, the stored scorecards and the roll-up that fills them."""

    name = "wuqiang.scoring"
    label = "scoring"
    verbose_name = _("Scoring")

    def ready(self) -> None:
        from django.utils.module_loading import autodiscover_modules

        from wuqiang.scoring import receivers  # noqa: F401

        # Each pillar app declares its indicators in <app>/indicators.py.
        autodiscover_modules("indicators")

        # Issue 18's read-only endpoints (paths to the next grade, heat maps) on the API router.
        from wuqiang.scoring.api import register

        register()
