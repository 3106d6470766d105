"""Ticket panels other apps' pages include: the dashboards' counts, the work board's open tickets."""

from __future__ import annotations

from django import template

from wuqiang.accounts import permissions
from wuqiang.tickets import selectors

register = template.Library()


@register.inclusion_tag("tickets/_dashboard_panel.html", takes_context=True)
def ticket_dashboard(context, unit):
    """Open and overdue tickets of the unit and the units below it, from the stored tallies."""
    return {"unit": unit, "panel": selectors.dashboard_panel(unit, context["request"].user)}


@register.inclusion_tag("tickets/_open_tickets.html", takes_context=True)
def open_tickets(context):
    """The open tickets the signed-in user's unit answers or waits on, soonest deadline first."""
    user = context["request"].user
    return {"tickets": list(selectors.open_tickets_for_answer(user)[:50])}


@register.inclusion_tag("tickets/_issue_link.html", takes_context=True)
def issue_ticket_link(context, unit):
    user = context["request"].user
    allowed = permissions.may_issue_tickets(user) and permissions.ticket_issue_refusal(user, unit) is None
    return {"unit": unit, "allowed": allowed}
