"""``manage.py prune_audit_log [--days N]``: delete audit events older than the retention."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from wuqiang.audit.services import prune


class Command(BaseCommand):
    help = "Delete audit events older than AUDIT_RETENTION_DAYS (or --days)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=None,
                            help=f"keep this many days (default AUDIT_RETENTION_DAYS={settings.AUDIT_RETENTION_DAYS})")

    def handle(self, *args, days: int | None, **options) -> None:
        if days is not None and days < 1:
            raise CommandError("--days must be at least 1.")
        deleted = prune(days=days)
        self.stdout.write(f"Deleted {deleted} audit events older than "
                          f"{days if days is not None else settings.AUDIT_RETENTION_DAYS} days.")
