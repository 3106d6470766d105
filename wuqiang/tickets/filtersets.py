"""One FilterSet for tickets, shared by the web list and the API."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from wuqiang.accounts.models import User
from wuqiang.regions.models import CODE_LENGTH, Level
from wuqiang.tickets.models import Category, Severity, Ticket, TicketState

_UNIT_FIELD = {CODE_LENGTH[Level.COUNTY]: "county__code", CODE_LENGTH[Level.TOWNSHIP]: "township__code",
               CODE_LENGTH[Level.VILLAGE]: "village__code"}


class TicketFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_search", label=_("Search"))
    state = django_filters.ChoiceFilter(choices=TicketState.choices, label=_("State"), empty_label=_("All"))
    overdue = django_filters.ChoiceFilter(method="filter_overdue", label=_("Overdue"), empty_label=_("All"),
                                          choices=[("yes", _("Overdue")), ("no", _("Not overdue"))])
    category = django_filters.ChoiceFilter(choices=Category.choices, label=_("Category"), empty_label=_("All"))
    severity = django_filters.ChoiceFilter(choices=Severity.choices, label=_("Severity"), empty_label=_("All"))
    issuer = django_filters.ModelChoiceFilter(queryset=User.objects.none(), label=_("Issued by"),
                                              empty_label=_("Everyone"))
    unit = django_filters.CharFilter(method="filter_unit", label=_("Unit code"))

    class Meta:
        model = Ticket
        fields = ["q", "state", "overdue", "category", "severity", "issuer", "unit"]

    def __init__(self, data=None, queryset=None, **kwargs):
        super().__init__(data, queryset=queryset, **kwargs)
        issuers = queryset.order_by().values("issuer_id").distinct() if queryset is not None else []
        self.filters["issuer"].queryset = User.objects.filter(pk__in=issuers).order_by("username")
        self.form.fields["issuer"].label_from_instance = lambda user: user.display_name
        for name, f in self.form.fields.items():
            f.widget.attrs["class"] = "form-control form-control-sm" if name in ("q", "unit") else \
                "form-select form-select-sm"

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        match = (Q(title__icontains=value) | Q(problem__icontains=value) | Q(answer__icontains=value)
                 | Q(county__name__icontains=value) | Q(township__name__icontains=value)
                 | Q(village__name__icontains=value))
        if value.lstrip("#").isdigit():
            match |= Q(pk=int(value.lstrip("#")))
        return queryset.filter(match)

    def filter_overdue(self, queryset, name, value):
        return queryset.overdue() if value == "yes" else queryset.not_overdue()

    def filter_unit(self, queryset, name, value):
        """Tickets to the unit with this division code or to units inside it."""
        value = value.strip()
        field = _UNIT_FIELD.get(len(value))
        if not value.isdigit() or field is None:
            return queryset.none()
        if field == "county__code":  # a municipality's code has a county's length
            return queryset.filter(Q(county__code=value) | Q(municipality__code=value))
        return queryset.filter(**{field: value})
