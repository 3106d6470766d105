"""The county reference income page (SPEC §4.5): read by everyone who sees the county,
kept by its reviewers and municipal staff."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from support import services
from support.models import CountyIncome
from support.rules import secretary_pay_standard
from wuqiang.accounts import permissions
from wuqiang.accounts.scope import get_visible_or_404
from wuqiang.core.mixins import breadcrumbs
from wuqiang.entries.validators import between
from wuqiang.regions.models import AssessmentYear, County, MunicipalYear


class IncomeForm(forms.Form):
    year = forms.TypedChoiceField(label=_("year"), coerce=int)
    rural_income_per_capita = forms.IntegerField(
        label=_("rural per-capita disposable income"), help_text=_("yuan per year"), validators=between(1000, 200_000))

    def __init__(self, *args, years, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(y.pk, y.pk) for y in years]
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-control form-control-sm"


@require_http_methods(["GET", "POST"])
def county_income(request: HttpRequest, code: str) -> HttpResponse:
    county = get_visible_or_404(County.objects.select_related("municipality"), request.user, code=code)
    years = list(AssessmentYear.objects.order_by("-year"))
    settings = {s.year_id: s for s in MunicipalYear.objects.filter(municipality_id=county.municipality_id)}
    editable_years = [y for y in years if y.pk in settings
                      and permissions.county_income_refusal(request.user, county, settings[y.pk]) is None]
    form = IncomeForm(request.POST or None, years=editable_years)
    if request.method == "POST":
        if form.is_valid():
            year = get_object_or_404(AssessmentYear, pk=form.cleaned_data["year"])
            try:
                services.county_income_set(county=county, year=year, actor=request.user,
                                           income=form.cleaned_data["rural_income_per_capita"])
            except permissions.NotAllowed as refused:
                messages.error(request, str(refused))
            else:
                messages.success(request, _("Saved."))
                return redirect(request.path)
        else:
            messages.error(request, _("Nothing was saved: correct the fields marked below."))
    incomes = {i.year_id: i for i in CountyIncome.objects.visible_to(request.user).filter(county=county)
               .select_related("updated_by")}
    rows = []
    for year in years:
        previous = incomes.get(year.pk - 1)
        rows.append({
            "year": year,
            "income": incomes.get(year.pk),
            # The standard for year Y rests on the income of Y−1 (Guizhou's "345" rule).
            "standard": secretary_pay_standard(previous.rural_income_per_capita if previous else None,
                                               is_director=False),
            "standard_director": secretary_pay_standard(
                previous.rural_income_per_capita if previous else None, is_director=True),
        })
    return render(request, "support/county_income.html", {
        "unit": county, "rows": rows, "form": form if editable_years else None,
        "breadcrumbs": breadcrumbs(county, request.user),
    })
