"""Web forms for tickets: they parse input; the services decide and write."""

from __future__ import annotations

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from wuqiang.tickets.models import Category, Severity
from wuqiang.tickets.services import TicketInput


class _Styled(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for f in self.fields.values():
            css = "form-select" if isinstance(f.widget, forms.Select) else "form-control"
            f.widget.attrs.setdefault("class", css)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


ATTACHMENT_HELP = _("A photo (JPEG, PNG) or a PDF, at most 10 MB.")


class IssueForm(_Styled):
    title = forms.CharField(label=_("Problem"), max_length=120,
                            help_text=_("In a few words, e.g. “meeting records missing for March”."))
    problem = forms.CharField(label=_("Problem found"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4}))
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    severity = forms.ChoiceField(label=_("Severity"), choices=Severity.choices, initial=Severity.RECTIFY)
    deadline = forms.DateField(label=_("Deadline"), widget=DateInput())
    indicator_code = forms.CharField(label=_("Indicator code (optional)"), max_length=32, required=False)
    attachment = forms.FileField(label=_("Attachment (optional)"), required=False, help_text=ATTACHMENT_HELP)

    def ticket_input(self, entry=None) -> TicketInput:
        data = self.cleaned_data
        return TicketInput(title=data["title"], problem=data["problem"], category=data["category"],
                           severity=data["severity"], deadline=data["deadline"],
                           indicator_code=data["indicator_code"].strip(), entry=entry)


class AnswerForm(_Styled):
    answer = forms.CharField(label=_("Rectification"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4}),
                             help_text=_("What was done, by whom and when."))
    attachment = forms.FileField(label=_("Evidence (optional)"), required=False, help_text=ATTACHMENT_HELP)


class CloseForm(_Styled):
    comment = forms.CharField(label=_("Comment (optional)"), max_length=2000, required=False,
                              widget=forms.Textarea(attrs={"rows": 2}))


class RejectForm(_Styled):
    comment = forms.CharField(label=_("Why it is sent back"), max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 2}))


class ExtendForm(_Styled):
    deadline = forms.DateField(label=_("New deadline"), widget=DateInput())
    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class AttachForm(_Styled):
    file = forms.FileField(label=_("File"), help_text=ATTACHMENT_HELP)


def default_deadline(today: datetime.date) -> datetime.date:
    return today + datetime.timedelta(days=14)
