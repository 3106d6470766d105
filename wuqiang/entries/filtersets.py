"""Filters for the review queue, the history page and the API's entry list (django-filter)."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from wuqiang.accounts.models import User
from wuqiang.entries.models import Change, Entry, EntryState, Pillar
from wuqiang.regions.filtersets import year_filter
from wuqiang.regions.models import Township


def filter_flagged(queryset, value: bool | str | None):
    """Entries with values flagged for review (``True``/"yes") or without (``False``/"no")."""
    if value in (None, ""):
        return queryset
    flagged = ~Q(quality_flags=[])
    return queryset.filter(flagged) if value in (True, "yes") else queryset.exclude(flagged)


class EntryFilter(django_filters.FilterSet):
    """Entries by year, place (division codes), pillar, state and flags: the API's entry list."""

    year = year_filter()
    county = django_filters.CharFilter(field_name="county__code", label=_("County code"))
    township = django_filters.CharFilter(field_name="township__code", label=_("Township code"))
    village = django_filters.CharFilter(field_name="village__code", label=_("Village code"))
    pillar = django_filters.ChoiceFilter(choices=Pillar.choices, label=_("Pillar"))
    state = django_filters.ChoiceFilter(choices=EntryState.choices, label=_("State"))
    level = django_filters.ChoiceFilter(method="filter_level", label=_("Level"),
                                        choices=[("village", _("Village")), ("township", _("Township"))])
    flagged = django_filters.BooleanFilter(method="filter_flagged", label=_("Flagged"))
    complete = django_filters.BooleanFilter(field_name="is_complete", label=_("Complete"))

    class Meta:
        model = Entry
        fields = ["year", "county", "township", "village", "pillar", "state", "level", "flagged", "complete"]

    def filter_flagged(self, queryset, name, value):
        return filter_flagged(queryset, value)

    def filter_level(self, queryset, name, value):
        return queryset.filter(village__isnull=value == "township")


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
        return filter_flagged(queryset, value)

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
