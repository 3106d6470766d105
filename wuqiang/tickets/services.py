"""The one door for ticket writes: issue, answer, close, send back, extend, attach.

Each service checks the permission module, changes the ticket under a row lock, writes a
TicketEvent for the timeline and an audit event, and refreshes the municipality's stored
tallies in the same transaction, so dashboards agree with the tickets the moment it commits.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wuqiang.accounts.permissions import (
    require,
    ticket_answer_refusal,
    ticket_attach_refusal,
    ticket_close_refusal,
    ticket_extend_refusal,
    ticket_issue_refusal,
    ticket_reject_refusal,
)
from wuqiang.accounts.scope import unit_ids
from wuqiang.audit.models import EventKind
from wuqiang.audit.services import record
from wuqiang.core.files import FileKind, check_upload, safe_filename
from wuqiang.regions.models import Level, Municipality
from wuqiang.tickets.models import (
    Category,
    EventAction,
    Severity,
    Ticket,
    TicketAttachment,
    TicketEvent,
    TicketState,
    TicketTally,
    today,
)

ATTACHMENT_KINDS = frozenset({FileKind.JPEG, FileKind.PNG, FileKind.PDF})
MAX_ATTACHMENTS = 10
# A deadline more than this far ahead is a typing mistake, not a plan.
MAX_DEADLINE_DAYS = 366


@dataclass(frozen=True)
class TicketInput:
    """What an adapter (web form, API) parsed from its input for a new ticket."""

    title: str
    problem: str
    category: str
    severity: str
    deadline: datetime.date
    indicator_code: str = ""
    entry: Any = None


def _invalid(field: str, message: str) -> ValidationError:
    return ValidationError({field: [message]})


def _check_deadline(deadline: datetime.date, *, field: str = "deadline") -> None:
    if deadline < today():
        raise _invalid(field, _("The deadline cannot be in the past."))
    if (deadline - today()).days > MAX_DEADLINE_DAYS:
        raise _invalid(field, _("The deadline must be within a year."))


def _validate(unit: Any, data: TicketInput) -> None:
    errors: dict[str, list[str]] = {}
    if not data.title.strip():
        errors["title"] = [_("Say in a few words what the problem is.")]
    if not data.problem.strip():
        errors["problem"] = [_("Describe the problem found.")]
    if data.category not in Category.values:
        errors["category"] = [_("Choose a category.")]
    if data.severity not in Severity.values:
        errors["severity"] = [_("Choose a severity.")]
    if data.indicator_code:
        from wuqiang.scoring.indicators import indicator_def

        if indicator_def(data.indicator_code) is None:
            errors["indicator_code"] = [_("No indicator has this code.")]
    if data.entry is not None and not type(data.entry).objects.filter(
            pk=data.entry.pk, **{type(data.entry).scope_paths[unit.level]: unit.pk}).exists():
        errors["entry"] = [_("The entry belongs to another unit.")]
    if errors:
        raise ValidationError(errors)
    _check_deadline(data.deadline)


def _event(ticket: Ticket, actor: Any, action: str, comment: str = "", **extra: Any) -> TicketEvent:
    return TicketEvent.objects.create(ticket=ticket, actor=actor, action=action, comment=comment, **extra)


def _audit(ticket: Ticket, actor: Any, action: str, **detail: Any) -> None:
    record(EventKind.TICKET, actor=actor, obj=ticket, action=action, state=ticket.state, **detail)


def _locked(ticket: Ticket) -> Ticket:
    """The ticket re-read under a row lock, so two people acting at once act one after the other."""
    return (Ticket.objects.select_for_update(of=("self",)).select_related("county", "township", "village")
            .get(pk=ticket.pk))


def ticket_issue(*, actor: Any, unit: Any, data: TicketInput,
                 attachment: IO[bytes] | None = None, attachment_name: str = "") -> Ticket:
    """Issue a ticket to ``unit`` (a county, township or village)."""
    require(ticket_issue_refusal(actor, unit))
    _validate(unit, data)
    ids = unit_ids(unit)
    with transaction.atomic():
        ticket = Ticket.objects.create(
            municipality_id=ids[Level.MUNICIPALITY], county_id=ids[Level.COUNTY],
            township_id=ids.get(Level.TOWNSHIP), village_id=ids.get(Level.VILLAGE), target_level=unit.level,
            issuer=actor, issuer_level=Level.COUNTY if actor.role == "reviewer" else Level.MUNICIPALITY,
            title=data.title.strip(), problem=data.problem.strip(), category=data.category,
            severity=data.severity, deadline=data.deadline, indicator_code=data.indicator_code,
            entry=data.entry,
        )
        _event(ticket, actor, EventAction.ISSUED, ticket.problem, new_deadline=ticket.deadline)
        if attachment is not None:
            _attach(ticket, actor, attachment, attachment_name)
        _audit(ticket, actor, "issued", unit=str(unit), deadline=ticket.deadline)
        tally_refresh(municipality_id=ticket.municipality_id)
    return ticket


def ticket_answer(*, ticket: Ticket, actor: Any, answer: str,
                  attachment: IO[bytes] | None = None, attachment_name: str = "") -> Ticket:
    """The unit's rectification: issued → answered."""
    if not answer.strip():
        raise _invalid("answer", _("Say what was done to rectify the problem."))
    with transaction.atomic():
        ticket = _locked(ticket)
        require(ticket_answer_refusal(actor, ticket))
        ticket.state, ticket.answer = TicketState.ANSWERED, answer.strip()
        ticket.answered_by, ticket.answered_at = actor, timezone.now()
        ticket.save(update_fields=["state", "answer", "answered_by", "answered_at", "updated_at"])
        _event(ticket, actor, EventAction.ANSWERED, ticket.answer)
        if attachment is not None:
            _attach(ticket, actor, attachment, attachment_name, check=False)
        _audit(ticket, actor, "answered")
        tally_refresh(municipality_id=ticket.municipality_id)
    return ticket


def ticket_close(*, ticket: Ticket, actor: Any, comment: str = "") -> Ticket:
    """The issuing office accepts the rectification: answered → closed."""
    with transaction.atomic():
        ticket = _locked(ticket)
        require(ticket_close_refusal(actor, ticket))
        ticket.state, ticket.closed_at = TicketState.CLOSED, timezone.now()
        ticket.save(update_fields=["state", "closed_at", "updated_at"])
        _event(ticket, actor, EventAction.CLOSED, comment.strip())
        _audit(ticket, actor, "closed")
        tally_refresh(municipality_id=ticket.municipality_id)
    return ticket


def ticket_reject(*, ticket: Ticket, actor: Any, comment: str) -> Ticket:
    """The issuing office does not accept the rectification: answered → issued, with why."""
    if not comment.strip():
        raise _invalid("comment", _("Say why the rectification is not accepted."))
    with transaction.atomic():
        ticket = _locked(ticket)
        require(ticket_reject_refusal(actor, ticket))
        ticket.state = TicketState.ISSUED
        ticket.save(update_fields=["state", "updated_at"])
        _event(ticket, actor, EventAction.REJECTED, comment.strip())
        _audit(ticket, actor, "rejected")
        tally_refresh(municipality_id=ticket.municipality_id)
    return ticket


def ticket_extend(*, ticket: Ticket, actor: Any, deadline: datetime.date, reason: str) -> Ticket:
    """Move an open ticket's deadline later, with the reason recorded."""
    if not reason.strip():
        raise _invalid("reason", _("Give the reason for the extension."))
    with transaction.atomic():
        ticket = _locked(ticket)
        require(ticket_extend_refusal(actor, ticket))
        if deadline <= ticket.deadline:
            raise _invalid("deadline", _("The new deadline must be later than the current one (%(date)s).")
                           % {"date": ticket.deadline.isoformat()})
        _check_deadline(deadline)
        old = ticket.deadline
        ticket.deadline = deadline
        ticket.save(update_fields=["deadline", "updated_at"])
        _event(ticket, actor, EventAction.EXTENDED, reason.strip(), old_deadline=old, new_deadline=deadline)
        _audit(ticket, actor, "extended", old_deadline=old, new_deadline=deadline)
        tally_refresh(municipality_id=ticket.municipality_id)
    return ticket


def _attach(ticket: Ticket, actor: Any, fileobj: IO[bytes], name: str, *, check: bool = True) -> TicketAttachment:
    if check:
        require(ticket_attach_refusal(actor, ticket))
    if ticket.attachments.count() >= MAX_ATTACHMENTS:
        raise _invalid("file", _("A ticket holds at most %(n)s files.") % {"n": MAX_ATTACHMENTS})
    try:
        kind = check_upload(fileobj, allowed=ATTACHMENT_KINDS)
    except ValidationError as refused:
        raise ValidationError({"file": refused.messages}) from None
    size = getattr(fileobj, "size", None)
    if size is None:
        fileobj.seek(0, 2)
        size = fileobj.tell()
        fileobj.seek(0)
    from django.core.files import File

    attachment = TicketAttachment(ticket=ticket, original_name=safe_filename(name or "", default="file"),
                                  size=size, kind=kind.value, uploaded_by=actor)
    attachment.file.save("upload", File(fileobj), save=False)
    attachment.save()
    _event(ticket, actor, EventAction.ATTACHED, attachment.original_name)
    return attachment


def attachment_add(*, ticket: Ticket, actor: Any, fileobj: IO[bytes], name: str) -> TicketAttachment:
    """Attach a photo or PDF (checked by its content and size) to an open ticket."""
    with transaction.atomic():
        ticket = _locked(ticket)
        attachment = _attach(ticket, actor, fileobj, name)
        _audit(ticket, actor, "attached", file=attachment.original_name, size=attachment.size)
    return attachment


# --- Stored tallies -------------------------------------------------------------------------------

_GROUPS = ((Level.MUNICIPALITY, "municipality_id"), (Level.COUNTY, "county_id"),
           (Level.TOWNSHIP, "township_id"), (Level.VILLAGE, "village_id"))


def tally_refresh(*, municipality_id: int, on: datetime.date | None = None) -> int:
    """Recount a municipality's open and overdue tickets per unit (set-based: one grouped query
    per level) and store them, replacing what was there; returns the rows written. Idempotent;
    the municipality's row is always written so readers can tell when the figures date from."""
    from django.db.models import Count, Q

    on = on or today()
    rows: list[TicketTally] = []
    open_tickets = Ticket.objects.filter(municipality_id=municipality_id).open().order_by()
    for level, field in _GROUPS:
        counts = (open_tickets.exclude(**{f"{field}__isnull": True}).values(field)
                  .annotate(n=Count("pk"), late=Count("pk", filter=Q(deadline__lt=on))))
        rows += [TicketTally(municipality_id=municipality_id, level=level, unit_id=c[field], open_count=c["n"],
                             overdue_count=c["late"], as_of=on) for c in counts]
    if not any(r.level == Level.MUNICIPALITY for r in rows):
        rows.append(TicketTally(municipality_id=municipality_id, level=Level.MUNICIPALITY,
                                unit_id=municipality_id, as_of=on))
    with transaction.atomic():
        # One refresh of a city at a time (the nightly job and a ticket change may meet).
        list(Municipality.objects.select_for_update().filter(pk=municipality_id).values_list("pk", flat=True))
        TicketTally.objects.filter(municipality_id=municipality_id).delete()
        TicketTally.objects.bulk_create(rows)
    return len(rows)


def tallies_refresh_all(*, on: datetime.date | None = None) -> int:
    """The nightly job: every municipality's tallies as of today."""
    return sum(tally_refresh(municipality_id=pk, on=on)
               for pk in Municipality.objects.order_by("pk").values_list("pk", flat=True))
