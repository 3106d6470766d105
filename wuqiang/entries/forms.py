"""Base forms every pillar's profile and record forms build on."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from wuqiang.entries.models import Entry


class EntryBoundForm(forms.ModelForm):
    """A form that knows the entry it edits, so rules can depend on the year or the village."""

    def __init__(self, *args: Any, entry: Entry, **kwargs: Any) -> None:
        self.entry = entry
        super().__init__(*args, **kwargs)
        for bound in self.fields.values():
            # Bootstrap styling in one place instead of per-widget attrs in every pillar.
            widget = bound.widget
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, (forms.Select, forms.NullBooleanSelect)):
                widget.attrs.setdefault("class", "form-select form-select-sm")
            elif isinstance(widget, forms.CheckboxSelectMultiple):
                pass
            else:
                widget.attrs.setdefault("class", "form-control form-control-sm")

    def full_clean(self) -> None:
        super().full_clean()
        # Mark invalid inputs so Bootstrap draws them red next to their message.
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()


class ProfileForm(EntryBoundForm):
    """Base of a pillar's profile form. Subclasses set Meta.model and Meta.fields."""


class RecordForm(EntryBoundForm):
    """Base of a record-list row form; checks the model's ``dates_in_year`` fall in the year."""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        year = self.entry.year_id
        for name in getattr(self._meta.model, "dates_in_year", ()):
            value = cleaned.get(name)
            if isinstance(value, datetime.date) and value.year != year:
                self.add_error(name, _("The date must fall within %(year)s.") % {"year": year})
        return cleaned


class YesNoField(forms.NullBooleanField):
    """A yes/no question that may still be unanswered in a draft (是 / 否 / 未填)."""

    widget = forms.NullBooleanSelect


class EntryForms:
    """The profile form and record formsets of one entry, bound or not, editable or not."""

    def __init__(self, sheet, entry: Entry, data: Any = None, *, editable: bool) -> None:
        from django.forms import inlineformset_factory

        self.sheet, self.entry, self.editable = sheet, entry, editable
        profile = None
        if entry.pk is not None:
            profile = sheet.profile_model.objects.filter(entry=entry).first()
        self.profile_form = sheet.profile_form(
            data, instance=profile or sheet.profile_model(entry=entry), entry=entry, prefix="profile"
        )
        self.formsets = []
        for record_sheet in sheet.records:
            formset_class = inlineformset_factory(
                Entry, record_sheet.model, form=record_sheet.form,
                extra=1 if editable else 0, can_delete=editable,
            )
            formset = formset_class(
                data, instance=entry, prefix=record_sheet.prefix, form_kwargs={"entry": entry},
                queryset=record_sheet.model.objects.order_by("pk"),
            )
            formset.record_sheet = record_sheet
            self.formsets.append(formset)
        if not editable:
            for form in self.all_forms():
                for bound in form.fields.values():
                    bound.disabled = True

    def all_forms(self):
        yield self.profile_form
        for formset in self.formsets:
            yield from formset.forms

    def is_valid(self) -> bool:
        # Evaluate every form so each shows its own errors, not only the first invalid one.
        results = [self.profile_form.is_valid(), *(fs.is_valid() for fs in self.formsets)]
        return all(results)

    def fieldsets(self):
        """The profile form's fields grouped as the sheet declares, leftovers last."""
        form = self.profile_form
        placed: set[str] = set()
        groups = []
        for legend, names in self.sheet.fieldsets:
            fields = [form[n] for n in names if n in form.fields]
            placed.update(names)
            groups.append((legend, fields))
        rest = [form[n] for n in form.fields if n not in placed]
        if rest:
            groups.append((_("Other") if groups else "", rest))
        return groups
