"""``manage.py purge_previews``: delete what-if previews older than PREVIEW_RETENTION_DAYS
(beat does it nightly)."""

from django.conf import settings
from django.core.management.base import BaseCommand

from wuqiang.scoring.previews import previews_purge


class Command(BaseCommand):
    help = "Delete what-if scheme previews (and their changed villages) older than PREVIEW_RETENTION_DAYS."

    def handle(self, *args, **options) -> None:
        deleted = previews_purge()
        self.stdout.write(f"Removed {deleted} previews older than {settings.PREVIEW_RETENTION_DAYS} days.")
