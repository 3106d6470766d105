"""Signal receivers: review decisions queue a roll-up of their county."""

from __future__ import annotations

from django.dispatch import receiver

from wuqiang.entries.signals import entry_reviewed


@receiver(entry_reviewed, dispatch_uid="scoring-rollup-after-review")
def _rollup_after_review(sender, entry, **kwargs) -> None:
    from wuqiang.scoring.services import schedule_rollup

    schedule_rollup(entry.year_id, entry.county_id)
