"""Ticket pages: the scoped list with filters, the issue form, the detail page with its timeline
and actions, and attachment downloads. Views parse input and call the services."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from wuqiang.accounts import permissions
from wuqiang.accounts.scope import get_visible_or_404
from wuqiang.core.files import FileKind, attachment_response
from wuqiang.entries.models import Entry
from wuqiang.reports.selectors import visible_unit_or_404
from wuqiang.tickets import forms, selectors, services
from wuqiang.tickets.filtersets import TicketFilter
from wuqiang.tickets.models import TicketAttachment, today

PAGE_SIZE = 50


def _errors_to_form(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


@require_GET
def ticket_list(request: HttpRequest) -> HttpResponse:
    tickets = selectors.visible_tickets(request.user)
    filterset = TicketFilter(request.GET or None, queryset=tickets)
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "tickets/list.html", {
        "filter": filterset, "page_obj": page, "today": today(), "query": query.urlencode(),
        "can_issue": permissions.may_issue_tickets(request.user),
    })


@require_http_methods(["GET", "POST"])
def ticket_issue(request: HttpRequest) -> HttpResponse:
    """The issue form, for the unit given by its code (?unit=…, from a unit's page or the list)."""
    code = (request.POST.get("unit") or request.GET.get("unit") or "").strip()
    unit = visible_unit_or_404(request.user, code) if code else None
    entry = None
    if unit is not None and (entry_pk := request.POST.get("entry") or request.GET.get("entry")):
        if not str(entry_pk).isdigit():
            raise Http404("No such entry.")
        entry = get_visible_or_404(Entry.objects.all(), request.user, pk=int(entry_pk))
    refusal = (permissions.ticket_issue_refusal(request.user, unit) if unit is not None
               else None if permissions.may_issue_tickets(request.user)
               else _("Township clerks answer tickets; only county reviewers and municipal staff issue them."))
    if refusal:
        raise PermissionDenied(refusal)
    form = forms.IssueForm(request.POST or None, request.FILES or None,
                           initial={"deadline": forms.default_deadline(today())})
    if request.method == "POST" and unit is None:
        form.is_valid()
        form.add_error(None, _("Give the division code of the county, township or village."))
    elif request.method == "POST" and form.is_valid():
        upload = form.cleaned_data.get("attachment")
        try:
            ticket = services.ticket_issue(actor=request.user, unit=unit, data=form.ticket_input(entry),
                                           attachment=upload, attachment_name=upload.name if upload else "")
        except permissions.NotAllowed as refused:
            raise PermissionDenied(str(refused)) from None
        except ValidationError as invalid:
            _errors_to_form(form, invalid)
        else:
            messages.success(request, _("Ticket #%(id)s is issued to %(unit)s.") % {"id": ticket.pk, "unit": unit})
            return redirect("tickets:detail", pk=ticket.pk)
    return render(request, "tickets/issue.html", {"form": form, "unit": unit, "code": code, "entry": entry},
                  status=400 if request.method == "POST" else 200)


def _actions(user: Any, ticket) -> dict[str, bool]:
    return {
        "answer": permissions.ticket_answer_refusal(user, ticket) is None,
        "close": permissions.ticket_close_refusal(user, ticket) is None,
        "reject": permissions.ticket_reject_refusal(user, ticket) is None,
        "extend": permissions.ticket_extend_refusal(user, ticket) is None,
        "attach": permissions.ticket_attach_refusal(user, ticket) is None,
    }


def _detail(request: HttpRequest, ticket, status: int = 200, **forms_: Any) -> HttpResponse:
    context = {
        "ticket": ticket, "today": today(),
        "events": ticket.events.select_related("actor"),
        "attachments": ticket.attachments.all(),
        "can": _actions(request.user, ticket),
        "answer_form": forms_.get("answer") or forms.AnswerForm(),
        "close_form": forms_.get("close") or forms.CloseForm(),
        "reject_form": forms_.get("reject") or forms.RejectForm(),
        "extend_form": forms_.get("extend") or forms.ExtendForm(initial={"deadline": ticket.deadline}),
        "attach_form": forms_.get("attach") or forms.AttachForm(),
    }
    return render(request, "tickets/detail.html", context, status=status)


@require_GET
def ticket_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, selectors.ticket_for(request.user, pk))


ACTIONS = {
    "answer": forms.AnswerForm,
    "close": forms.CloseForm,
    "reject": forms.RejectForm,
    "extend": forms.ExtendForm,
    "attach": forms.AttachForm,
}
DONE = {
    "answer": _("The rectification is sent to the issuing office."),
    "close": _("The ticket is closed."),
    "reject": _("The ticket is sent back to the unit."),
    "extend": _("The deadline is extended."),
    "attach": _("The file is attached."),
}


def _run(action: str, ticket, user, data: dict):
    if action == "answer":
        upload = data.get("attachment")
        return services.ticket_answer(ticket=ticket, actor=user, answer=data["answer"], attachment=upload,
                                      attachment_name=upload.name if upload else "")
    if action == "close":
        return services.ticket_close(ticket=ticket, actor=user, comment=data["comment"])
    if action == "reject":
        return services.ticket_reject(ticket=ticket, actor=user, comment=data["comment"])
    if action == "extend":
        return services.ticket_extend(ticket=ticket, actor=user, deadline=data["deadline"], reason=data["reason"])
    return services.attachment_add(ticket=ticket, actor=user, fileobj=data["file"], name=data["file"].name)


@require_POST
def ticket_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    ticket = selectors.ticket_for(request.user, pk)
    if action not in ACTIONS:
        raise Http404("No such action.")
    form = ACTIONS[action](request.POST, request.FILES)
    if form.is_valid():
        try:
            _run(action, ticket, request.user, form.cleaned_data)
        except permissions.NotAllowed as refused:
            raise PermissionDenied(str(refused)) from None
        except ValidationError as invalid:
            _errors_to_form(form, invalid)
        else:
            messages.success(request, DONE[action])
            return redirect("tickets:detail", pk=ticket.pk)
    messages.error(request, _("Nothing was changed: correct the fields marked below."))
    return _detail(request, ticket, status=400, **{action: form})


@require_GET
def attachment_download(request: HttpRequest, pk: int) -> HttpResponse:
    """An attachment, only to users who may see its ticket; always downloaded, never rendered."""
    attachment = get_visible_or_404(TicketAttachment.objects.all(), request.user, pk=pk)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404("The file is gone.") from None
    return attachment_response(handle, filename=attachment.original_name, kind=FileKind(attachment.kind))
