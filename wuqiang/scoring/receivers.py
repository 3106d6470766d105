"""Signal receivers: new years get a scheme, review decisions queue a roll-up."""

from __future__ import annotations

from django.db.models.signals import post_save
from django.dispatch import receiver

from wuqiang.entries.signals import entry_reviewed
from wuqiang.regions.models import AssessmentYear


@receiver(post_save, sender=AssessmentYear, dispatch_uid="scoring-scheme-for-new-year")
def _give_new_year_a_scheme(sender, instance: AssessmentYear, created: bool, raw: bool = False, **kwargs) -> None:
    # SPEC §3: each year's scheme starts as a copy of the previous year's.
    if created and not raw:
        from wuqiang.scoring.services import scheme_for_year

        scheme_for_year(instance.year)


@receiver(entry_reviewed, dispatch_uid="scoring-rollup-after-review")
def _rollup_after_review(sender, entry, **kwargs) -> None:
    from wuqiang.scoring.services import schedule_rollup

    schedule_rollup(entry.year_id, entry.county_id)
