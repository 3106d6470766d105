"""A village or township re-coded (or moved) in the administration: the stored review-queue
order of its entries (``Entry.sort_code``, built from the codes) is recomputed in the same
transaction, through ``services.refresh_sort_codes``."""

from __future__ import annotations

from django.db.models.signals import post_save
from django.dispatch import receiver

from wuqiang.regions.models import Township, Village


def _may_have_moved(created: bool, raw: bool, update_fields) -> bool:
    """An existing unit saved with its code (or, for a village, its township) possibly changed."""
    return not created and not raw and (update_fields is None or bool({"code", "township"} & set(update_fields)))


@receiver(post_save, sender=Village, dispatch_uid="entries-sort-codes-of-saved-village")
def _village_saved(sender, instance: Village, created: bool, raw: bool = False, update_fields=None,
                   **kwargs) -> None:
    if _may_have_moved(created, raw, update_fields):
        from wuqiang.entries.services import refresh_sort_codes

        refresh_sort_codes(village_ids=[instance.pk])


@receiver(post_save, sender=Township, dispatch_uid="entries-sort-codes-of-saved-township")
def _township_saved(sender, instance: Township, created: bool, raw: bool = False, update_fields=None,
                    **kwargs) -> None:
    if _may_have_moved(created, raw, update_fields):
        from wuqiang.entries.services import refresh_sort_codes

        refresh_sort_codes(township_ids=[instance.pk])
