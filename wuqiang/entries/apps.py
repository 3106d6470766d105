from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EntriesConfig(AppConfig):
    """The machinery the five pillar apps share: entry state, review workflow, history."""

    name = "wuqiang.entries"
    label = "entries"
    verbose_name = _("Data entry and review")

    def ready(self) -> None:
        from wuqiang.entries import receivers  # noqa: F401  (keeps the review-queue order of re-coded units)
