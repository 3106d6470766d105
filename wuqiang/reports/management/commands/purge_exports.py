"""``manage.py purge_exports``: remove exports older than REPORT_RETENTION_HOURS (beat does it hourly)."""

from django.conf import settings
from django.core.management.base import BaseCommand

from wuqiang.reports.services import exports_purge


class Command(BaseCommand):
    help = "Delete Excel exports (files and rows) older than REPORT_RETENTION_HOURS."

    def handle(self, *args, **options) -> None:
        deleted = exports_purge()
        self.stdout.write(f"Removed {deleted} exports older than {settings.REPORT_RETENTION_HOURS} hours.")
