"""``manage.py purge_imports``: remove uploaded Excel files older than IMPORT_RETENTION_DAYS (beat does it nightly)."""

from django.conf import settings
from django.core.management.base import BaseCommand

from wuqiang.imports.services import files_purge


class Command(BaseCommand):
    help = "Delete uploaded Excel files (and the values read from them) older than IMPORT_RETENTION_DAYS."

    def handle(self, *args, **options) -> None:
        deleted = files_purge()
        self.stdout.write(f"Removed {deleted} uploaded files older than {settings.IMPORT_RETENTION_DAYS} days.")
