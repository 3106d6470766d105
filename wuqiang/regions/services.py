"""Writes of a municipality's assessment years: the entry window and the state (open → closed →
published), each recorded with who, when, from and to."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wuqiang.accounts import permissions
from wuqiang.audit.models import EventKind
from wuqiang.audit.services import record
from wuqiang.core.validators import SHORT_TEXT, plain_text
from wuqiang.regions.models import YEAR_TRANSITIONS, MunicipalYear, YearState, YearStateChange


@transaction.atomic
def year_set_state(*, year: MunicipalYear, actor, to_state: str, note: str = "") -> MunicipalYear:
    """Move the municipality's year to ``to_state`` along YEAR_TRANSITIONS, recorded. Publishing
    first recomputes the municipality's scorecards, which it then freezes."""
    year = MunicipalYear.objects.select_for_update().select_related("municipality").get(pk=year.pk)
    permissions.require(permissions.year_manage_refusal(actor, year))
    if to_state not in YEAR_TRANSITIONS.get(year.state, ()):
        raise ValidationError({"state": _("The year cannot go from %(from)s to %(to)s.") % {
            "from": year.get_state_display(), "to": dict(YearState.choices).get(to_state, to_state)}})
    note = plain_text(note, field="note", max_length=SHORT_TEXT, multiline_text=False)
    if to_state == YearState.PUBLISHED:
        # Lazy: the hierarchy app does not depend on scoring otherwise. The scores published are
        # those of the data approved at this moment, not of the last coalesced run.
        from wuqiang.scoring.services import rollup_now

        rollup_now(year=year, actor=actor)
        year.published_at = timezone.now()
    previous = year.state
    year.state = to_state
    year.save(update_fields=["state", "published_at"])
    YearStateChange.objects.create(municipal_year=year, at=timezone.now(), actor=actor, from_state=previous,
                                   to_state=to_state, note=note)
    record(EventKind.YEAR_STATE, actor=actor, obj=year, municipality=year.municipality.code,
                 year=year.year_id, from_state=previous, to_state=to_state, note=note)
    return year


@transaction.atomic
def year_set_window(*, year: MunicipalYear, actor, entry_opens: datetime.date,
                    entry_closes: datetime.date) -> MunicipalYear:
    """Change the announced entry window (the deadline clerks see); the state alone locks entry."""
    year = MunicipalYear.objects.select_for_update().get(pk=year.pk)
    permissions.require(permissions.year_manage_refusal(actor, year))
    if not isinstance(entry_opens, datetime.date) or not isinstance(entry_closes, datetime.date):
        raise ValidationError({"entry_closes": _("Enter both dates.")})
    last_day = datetime.date(year.year_id + 2, 12, 31)
    if not datetime.date(year.year_id, 1, 1) <= entry_opens <= entry_closes <= last_day:
        raise ValidationError({"entry_closes": _(
            "The window opens in %(year)s and closes after it opens, by the end of %(last)s.") % {
            "year": year.year_id, "last": year.year_id + 2}})
    year.entry_opens, year.entry_closes = entry_opens, entry_closes
    year.save(update_fields=["entry_opens", "entry_closes"])
    return year
