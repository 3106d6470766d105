"""Filters of the audit log page and its CSV export (one FilterSet for both)."""

from __future__ import annotations

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from wuqiang.audit.models import AuditEvent, EventKind


class AuditEventFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=EventKind.choices, label=_("Event"))
    username = django_filters.CharFilter(field_name="actor_username", lookup_expr="icontains", label=_("Username"))
    ip_address = django_filters.CharFilter(field_name="ip_address", lookup_expr="exact", label=_("Address"))
    object = django_filters.CharFilter(field_name="object_repr", lookup_expr="icontains", label=_("Object"))
    since = django_filters.DateFilter(
        field_name="occurred_at", lookup_expr="date__gte", label=_("From"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    until = django_filters.DateFilter(
        field_name="occurred_at", lookup_expr="date__lte", label=_("To"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    class Meta:
        model = AuditEvent
        fields = ["kind", "username", "ip_address", "object", "since", "until"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.form.fields.items():
            css = "form-select form-select-sm" if name == "kind" else "form-control form-control-sm"
            field.widget.attrs["class"] = css
