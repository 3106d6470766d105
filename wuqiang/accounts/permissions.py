"""Who may do what — every action's rule, in one module.

Scope (which units a user may *read*) is ``wuqiang.accounts.scope``; this module decides which
*actions* a role allows on an object already inside the user's scope, given its state and its
municipality's year. Each rule is a ``*_refusal(user, obj) -> str | None`` that says why not (in
the user's language) or None; ``can(...)``-style predicates wrap them for templates and views.
Every service calls ``require(<rule>(actor, obj))`` before it writes, so the web, the admin,
the Excel import, the API and tickets all obey the same rule.

Year lifecycle (SPEC §3): open → closed → published. In a closed year clerks cannot edit and
reviewers may still approve; returning or reopening an entry needs an extension of that entry
(``EntryExtension``), granted by municipal staff until a deadline, which also lets the clerk
change and resubmit it. A published year refuses every change.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from wuqiang.accounts.models import Role
from wuqiang.accounts.scope import Scope
from wuqiang.regions.models import YearState

if TYPE_CHECKING:
    from wuqiang.entries.models import Entry, EntryExtension
    from wuqiang.regions.models import County, MunicipalYear, Township


class NotAllowed(Exception):
    """The action is refused; the message says why and what to do, for the user."""


def require(refusal: str | None) -> None:
    if refusal:
        raise NotAllowed(refusal)


# --- Roles --------------------------------------------------------------------------------------


def is_clerk_of(user: Any, township_id: int | None) -> bool:
    return user.is_authenticated and user.role == Role.CLERK and user.township_id == township_id


def is_reviewer_of(user: Any, county_id: int | None) -> bool:
    return user.is_authenticated and user.role == Role.REVIEWER and user.county_id == county_id


def is_municipal_staff(user: Any) -> bool:
    """Municipal staff of any city, or an administrator (who acts for every city)."""
    return user.is_authenticated and (user.role == Role.MUNICIPAL or Scope.of(user).everything)


def is_municipal_staff_of(user: Any, municipality_id: int | None) -> bool:
    if not user.is_authenticated:
        return False
    if Scope.of(user).everything:
        return True
    return user.role == Role.MUNICIPAL and user.municipality_id == municipality_id


# --- The year an object belongs to ------------------------------------------------------------


def year_of(entry: Entry) -> MunicipalYear:
    """The entry's municipality's settings for its year (cached on the entry for the request)."""
    from wuqiang.regions.selectors import year_settings

    cached = getattr(entry, "_year_settings", None)
    if cached is None or cached.year_id != entry.year_id:
        cached = year_settings(year=entry.year_id, county_id=entry.county_id)
        entry._year_settings = cached
    return cached


def active_extension(entry: Entry) -> EntryExtension | None:
    """The entry's extension still running, if any (cached on the entry for the request)."""
    from wuqiang.entries.models import EntryExtension

    if entry.pk is None:
        return None
    if not hasattr(entry, "_active_extension"):
        entry._active_extension = (EntryExtension.objects.active().filter(entry_id=entry.pk)
                                   .order_by("-until").first())
    return entry._active_extension


def _published(year: MunicipalYear) -> str:
    return _("The %(year)s assessment is published; its data is frozen.") % {"year": year.year_id}


def _closed_needs_extension(year: MunicipalYear, entry: Entry) -> str | None:
    """None if the year is open or the entry has a running extension; else why not."""
    if year.state == YearState.OPEN or active_extension(entry) is not None:
        return None
    return _("The %(year)s assessment is closed: this needs an extension of the entry, which municipal "
             "staff grant with a deadline.") % {"year": year.year_id}


# --- Entries --------------------------------------------------------------------------------------


def edit_refusal(user: Any, entry: Entry) -> str | None:
    """Why ``user`` may not change the entry's values, or None if they may."""
    if not is_clerk_of(user, entry.township_id):
        return _("Only the township's clerk enters this data.")
    year = year_of(entry)
    if year.is_published:
        return _published(year)
    refusal = _closed_needs_extension(year, entry)
    if refusal:
        return refusal
    if not entry.is_editable_state:
        return _("This entry is %(state)s; it can be changed only after a reviewer returns or reopens it.") % {
            "state": entry.get_state_display()}
    return None


def import_refusal(user: Any, township: Township) -> str | None:
    """Why ``user`` may not download an import template for, or upload one to, the township.
    Each entry an upload would change is still checked with ``edit_refusal``."""
    if not is_clerk_of(user, township.pk):
        return _("Only the township's clerk imports data from Excel.")
    return None


def submit_refusal(user: Any, entry: Entry) -> str | None:
    refusal = edit_refusal(user, entry)
    if refusal:
        return refusal
    if entry.pk is None or not entry.is_complete:
        return _("Fill in every required field before submitting.")
    if entry.quality_flags and not entry.flag_explanation.strip():
        return _("Some values are far from last year's: explain them before submitting.")
    return None


def approve_refusal(user: Any, entry: Entry) -> str | None:
    """Why ``user`` may not approve the entry, or None. Approving is allowed in a closed year."""
    if not is_reviewer_of(user, entry.county_id):
        return _("Only a reviewer of the county approves or returns entries.")
    year = year_of(entry)
    if year.is_published:
        return _published(year)
    if entry.state != "submitted":
        return _("Only a submitted entry can be approved or returned.")
    return None


def return_refusal(user: Any, entry: Entry) -> str | None:
    """Approving's rule, plus: in a closed year only with an extension (else the clerk could not
    fix the entry and it would stay returned for good)."""
    return approve_refusal(user, entry) or _closed_needs_extension(year_of(entry), entry)


def reopen_refusal(user: Any, entry: Entry) -> str | None:
    if not is_reviewer_of(user, entry.county_id):
        return _("Only a reviewer of the county can reopen an approved entry.")
    year = year_of(entry)
    if year.is_published:
        return _published(year)
    if entry.state != "approved":
        return _("Only an approved entry can be reopened.")
    return _closed_needs_extension(year, entry)


def bulk_approve_refusal(user: Any, township: Township, year: MunicipalYear) -> str | None:
    """Why ``user`` may not approve a whole township's submissions at once, or None."""
    if not is_reviewer_of(user, township.county_id):
        return _("Only a reviewer of the county approves or returns entries.")
    if year.is_published:
        return _published(year)
    return None


def extension_refusal(user: Any, entry: Entry) -> str | None:
    """Why ``user`` may not grant the entry an extension, or None."""
    year = year_of(entry)
    if not is_municipal_staff_of(user, year.municipality_id):
        return _("Only municipal staff grant extensions.")
    if year.is_published:
        return _published(year)
    if year.state == YearState.OPEN:
        return _("The %(year)s assessment is still open: the entry needs no extension.") % {"year": year.year_id}
    return None


# --- The municipality's settings ------------------------------------------------------------------


def year_manage_refusal(user: Any, year: MunicipalYear) -> str | None:
    """Why ``user`` may not change the year's state or entry window, or None."""
    if not is_municipal_staff_of(user, year.municipality_id):
        return _("Only the municipality's staff manage its assessment years.")
    if year.is_published:
        return _published(year)
    return None


def scheme_edit_refusal(user: Any, year: MunicipalYear) -> str | None:
    if not is_municipal_staff_of(user, year.municipality_id):
        return _("Only the municipality's staff change its scoring scheme.")
    if year.is_published:
        return _("The %(year)s assessment is published: its scheme is frozen.") % {"year": year.year_id}
    return None


def scheme_preview_refusal(user: Any, year: MunicipalYear) -> str | None:
    """What-if previews of a scheme: the municipality's staff only (nothing is saved, so a
    published year may be previewed too)."""
    if not is_municipal_staff_of(user, year.municipality_id):
        return _("Only the municipality's staff preview changes to its scoring scheme.")
    return None


def rollup_refusal(user: Any, year: MunicipalYear) -> str | None:
    if not is_municipal_staff_of(user, year.municipality_id):
        return _("Only municipal staff recompute scorecards.")
    if year.is_published:
        return _("The %(year)s assessment is published: its scores are frozen.") % {"year": year.year_id}
    return None


def nomination_refusal(user: Any, year: MunicipalYear) -> str | None:
    """Why ``user`` may not propose or decide demonstration villages of the year, or None."""
    if not is_municipal_staff_of(user, year.municipality_id):
        return _("Only municipal staff decide on demonstration villages.")
    if year.is_published:
        return _("The %(year)s assessment is published: its demonstration villages are final.") % {
            "year": year.year_id}
    return None


def county_income_refusal(user: Any, county: County, year: MunicipalYear) -> str | None:
    """County reviewers and municipal staff of the county's city keep its reference income."""
    if not (is_reviewer_of(user, county.pk) or is_municipal_staff_of(user, county.municipality_id)):
        return _("Only the county's reviewers or municipal staff enter the county's income.")
    if year.is_published:
        return _("The %(year)s assessment is published; its figures are frozen.") % {"year": year.year_id}
    return None


# --- Inspection tickets (督查罚单) ------------------------------------------------------------------
# A county reviewer issues tickets to the townships and villages of their county; municipal staff
# to any county, township or village of their city. The township's clerk answers a township or
# village ticket, the county's reviewers a county ticket; the issuing office (the issuer, or a
# colleague in the same county or city office) closes, sends back or extends it.


def ticket_issue_refusal(user: Any, unit: Any) -> str | None:
    """Why ``user`` may not issue a ticket to ``unit`` (a county, township or village), or None."""
    from wuqiang.regions.models import Level

    if not may_issue_tickets(user):
        return _("Township clerks answer tickets; only county reviewers and municipal staff issue them.")
    if unit.level == Level.MUNICIPALITY:
        return _("A ticket goes to a county, a township or a village.")
    if user.role == Role.REVIEWER:
        if unit.level == Level.COUNTY:
            return _("County reviewers issue tickets to the townships and villages of their county.")
        if unit.county_id != user.county_id:
            return _("County reviewers issue tickets only within their county.")
        return None
    if not is_municipal_staff_of(user, unit_ids_municipality(unit)):
        return _("Only the county's reviewers or the city's municipal staff issue tickets here.")
    return None


def may_issue_tickets(user: Any) -> bool:
    """Whether the user's role issues tickets at all (county reviewers, municipal staff, admins)."""
    return bool(user.is_authenticated and (user.role in (Role.REVIEWER, Role.MUNICIPAL) or Scope.of(user).everything))


def unit_ids_municipality(unit: Any) -> int:
    from wuqiang.accounts.scope import unit_ids
    from wuqiang.regions.models import Level

    return unit_ids(unit)[Level.MUNICIPALITY]


def is_ticket_issuing_office(user: Any, ticket: Any) -> bool:
    """The issuer, or a colleague of the same office: the county's reviewers for a county-issued
    ticket, the city's municipal staff (or an admin) for a city-issued one."""
    from wuqiang.regions.models import Level

    if not user.is_authenticated:
        return False
    if user.pk == ticket.issuer_id:
        return True
    if ticket.issuer_level == Level.COUNTY:
        return is_reviewer_of(user, ticket.county_id)
    return is_municipal_staff_of(user, ticket.municipality_id)


def is_ticket_answerer(user: Any, ticket: Any) -> bool:
    """The clerk of the township for township and village tickets; the county's reviewers for
    a county ticket."""
    if ticket.township_id is not None:
        return is_clerk_of(user, ticket.township_id)
    return is_reviewer_of(user, ticket.county_id)


def ticket_answer_refusal(user: Any, ticket: Any) -> str | None:
    if user.is_authenticated and user.pk == ticket.issuer_id:
        return _("You issued this ticket: the unit it was issued to answers it.")
    if not is_ticket_answerer(user, ticket):
        if ticket.township_id is not None:
            return _("Only the township's clerk answers this ticket.")
        return _("Only the county's reviewers answer this ticket.")
    if ticket.state != "issued":
        return _("This ticket is %(state)s: it can be answered only while it is issued.") % {
            "state": ticket.get_state_display()}
    return None


def _ticket_office_refusal(user: Any, ticket: Any) -> str | None:
    if not is_ticket_issuing_office(user, ticket):
        return _("Only the office that issued the ticket closes, sends back or extends it.")
    return None


def ticket_close_refusal(user: Any, ticket: Any) -> str | None:
    refusal = _ticket_office_refusal(user, ticket)
    if refusal:
        return refusal
    if ticket.state != "answered":
        return _("Only an answered ticket can be closed or sent back.")
    return None


def ticket_reject_refusal(user: Any, ticket: Any) -> str | None:
    return ticket_close_refusal(user, ticket)


def ticket_extend_refusal(user: Any, ticket: Any) -> str | None:
    refusal = _ticket_office_refusal(user, ticket)
    if refusal:
        return refusal
    if not ticket.is_open:
        return _("This ticket is closed: its deadline can no longer change.")
    return None


def ticket_attach_refusal(user: Any, ticket: Any) -> str | None:
    """The issuing office adds evidence of the problem, the answering unit evidence of the fix."""
    if not (is_ticket_issuing_office(user, ticket) or is_ticket_answerer(user, ticket)):
        return _("Only the issuing office or the unit that answers the ticket attach files to it.")
    if not ticket.is_open:
        return _("This ticket is closed: nothing more can be attached.")
    return None


# --- Security chores: the audit log, unlocking accounts -----------------------------------------------


def is_system_admin(user: Any) -> bool:
    return bool(user.is_authenticated and user.is_active and (user.is_superuser or user.role == Role.ADMIN))


def can_read_audit_log(user: Any) -> bool:
    """The audit log is for system administrators only (superusers or the admin role)."""
    return is_system_admin(user)


def can_unlock(user: Any) -> bool:
    """Admins unlock anyone; municipal staff unlock the accounts of their own municipality."""
    return is_system_admin(user) or bool(
        user.is_authenticated and user.is_active and user.role == Role.MUNICIPAL and user.municipality_id
    )


def unlockable_users(user: Any) -> QuerySet:
    """The accounts ``user`` may unlock: everyone's for admins; for municipal staff, the staff,
    reviewers and clerks whose unit lies in their municipality; nobody's otherwise."""
    from django.contrib.auth import get_user_model
    from django.db.models import Q

    users = get_user_model().objects.all()
    if is_system_admin(user):
        return users
    if not can_unlock(user):
        return users.none()
    municipality = user.municipality_id
    return users.filter(
        Q(municipality_id=municipality)
        | Q(county__municipality_id=municipality)
        | Q(township__county__municipality_id=municipality)
    )


# --- Predicates for templates and views ------------------------------------------------------------

RULES = {
    "edit": edit_refusal,
    "submit": submit_refusal,
    "approve": approve_refusal,
    "return": return_refusal,
    "reopen": reopen_refusal,
    "extend": extension_refusal,
    "manage_year": year_manage_refusal,
    "edit_scheme": scheme_edit_refusal,
    "preview_scheme": scheme_preview_refusal,
    "start_rollup": rollup_refusal,
    "decide_nomination": nomination_refusal,
    "issue_ticket": ticket_issue_refusal,
    "answer_ticket": ticket_answer_refusal,
    "close_ticket": ticket_close_refusal,
    "reject_ticket": ticket_reject_refusal,
    "extend_ticket": ticket_extend_refusal,
    "attach_to_ticket": ticket_attach_refusal,
}


def can(user: Any, action: str, obj: Any) -> bool:
    """Whether ``user`` may do ``action`` (a key of RULES) to ``obj``."""
    return RULES[action](user, obj) is None


def can_edit(user: Any, entry: Entry) -> bool:
    return edit_refusal(user, entry) is None


def can_review(user: Any, entry: Entry) -> bool:
    return entry.pk is not None and approve_refusal(user, entry) is None


def can_reopen(user: Any, entry: Entry) -> bool:
    return entry.pk is not None and reopen_refusal(user, entry) is None


def can_manage_scheme(user: Any, year: MunicipalYear) -> bool:
    return scheme_edit_refusal(user, year) is None


def can_start_rollup(user: Any, year: MunicipalYear) -> bool:
    return rollup_refusal(user, year) is None


def can_decide_nomination(user: Any, year: MunicipalYear) -> bool:
    return nomination_refusal(user, year) is None


# --- What a user may act on, as querysets ------------------------------------------------------------


def editable_entries(user: Any) -> QuerySet[Entry]:
    """Entries the user may change now: a clerk's township's drafts and returned entries in open
    years, or in closed years under a running extension."""
    from django.db.models import Exists, OuterRef, Q

    from wuqiang.entries.models import EDITABLE_STATES, Entry, EntryExtension
    from wuqiang.regions.models import MunicipalYear

    if not user.is_authenticated or user.role != Role.CLERK:
        return Entry.objects.none()
    year_state = MunicipalYear.objects.filter(year_id=OuterRef("year_id"),
                                              municipality__counties=OuterRef("county_id")).values("state")[:1]
    extended = Exists(EntryExtension.objects.active().filter(entry_id=OuterRef("pk")))
    return (Entry.objects.visible_to(user).filter(township_id=user.township_id, state__in=EDITABLE_STATES)
            .alias(year_state=year_state, extended=extended)
            .filter(Q(year_state=YearState.OPEN) | Q(year_state=YearState.CLOSED, extended=True)))


def reviewable_entries(user: Any) -> QuerySet[Entry]:
    """Submitted entries a reviewer may approve now (their county, years not published)."""
    from django.db.models import OuterRef

    from wuqiang.entries.models import Entry, EntryState
    from wuqiang.regions.models import MunicipalYear

    if not user.is_authenticated or user.role != Role.REVIEWER:
        return Entry.objects.none()
    year_state = MunicipalYear.objects.filter(year_id=OuterRef("year_id"),
                                              municipality__counties=OuterRef("county_id")).values("state")[:1]
    return (Entry.objects.visible_to(user).filter(county_id=user.county_id, state=EntryState.SUBMITTED)
            .alias(year_state=year_state).exclude(year_state=YearState.PUBLISHED))
