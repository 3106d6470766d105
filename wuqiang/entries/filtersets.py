"""Filters for the review queue and the history page (django-filter)."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from wuqiang.accounts.models import User
from wuqiang.entries.models import Change, Entry, EntryState, Pillar
from wuqiang.regions.models import Township


class ReviewQueueFilter(django_filters.FilterSet):
    township = django_filters.ModelChoiceFilter(
        queryset=Township.objects.none(), field_name="township", to_field_name="code", label=_("Township"),
        empty_label=_("All"))
    pillar = django_filters.ChoiceFilter(choices=Pillar.choices, label=_("Pillar"), empty_label=_("All"))
    state = django_filters.ChoiceFilter(choices=EntryState.choices, label=_("State"), empty_label=_("All"))
    flagged = django_filters.ChoiceFilter(method="filter_flagged", label=_("Flags"), empty_label=_("All"),
                                          choices=[("yes", _("Flagged")), ("no", _("Not flagged"))])

    class Meta:
        model = Entry
        fields = ["township", "pillar", "state", "flagged"]

    def filter_flagged(self, queryset, name, value):
        flagged = ~Q(quality_flags=[])
        return queryset.filter(flagged) if value == "yes" else queryset.exclude(flagged)

    def __init__(self, data=None, *args, county, **kwargs):
        # The queue opens on what waits for the reviewer.
        data = data.copy() if data is not None else None
        if data is not None and "state" not in data:
            data["state"] = EntryState.SUBMITTED
        super().__init__(data, *args, **kwargs)
        self.filters["township"].queryset = Township.objects.filter(county=county)
        for f in self.form.fields.values():
            f.widget.attrs["class"] = "form-select form-select-sm"


class ChangeFilter(django_filters.FilterSet):
    pillar = django_filters.ChoiceFilter(field_name="entry__pillar", choices=Pillar.choices, label=_("Pillar"),
                                         empty_label=_("All"))
    actor = django_filters.ModelChoiceFilter(field_name="actor", queryset=User.objects.none(), label=_("Person"),
                                             empty_label=_("Everyone"))

    class Meta:
        model = Change
        fields = ["pillar", "actor"]

    def __init__(self, data=None, queryset=None, **kwargs):
        super().__init__(data, queryset=queryset, **kwargs)
        # Only people who appear in this history are offered.
        actor_ids = queryset.order_by().values("actor_id").distinct() if queryset is not None else []
        self.filters["actor"].queryset = User.objects.filter(pk__in=actor_ids)
        # People by their names, not their user names.
        self.form.fields["actor"].label_from_instance = lambda user: user.display_name
        for f in self.form.fields.values():
            f.widget.attrs["class"] = "form-select form-select-sm"
