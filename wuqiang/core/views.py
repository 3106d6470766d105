"""The landing page: each role starts at its own unit."""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET
from django.views.i18n import set_language

from wuqiang.regions.models import Municipality
from wuqiang.security.gate import PASSWORD_CHANGE, SECOND_FACTOR, allow_during


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    unit = request.user.home_unit
    if unit is None and request.user.scope.everything:
        municipalities = list(Municipality.objects.all()[:2])
        if len(municipalities) == 1:
            unit = municipalities[0]
        else:
            return redirect("regions:municipality-list")
    if unit is None:
        return render(request, "core/no_role.html", status=403)
    return redirect(unit.get_absolute_url())


@login_not_required  # the login page offers the language switch too, before anyone has signed in
@allow_during(SECOND_FACTOR, PASSWORD_CHANGE)
def public_set_language(request: HttpRequest) -> HttpResponse:
    return set_language(request)


@require_GET
def help_page(request: HttpRequest) -> HttpResponse:
    """What to do now, what each state means and whom to ask — for the user's role first."""
    from wuqiang.core.selectors import to_do
    from wuqiang.core.years import selected_year

    year = selected_year(request)
    return render(request, "core/help.html", {"year": year, "to_do": to_do(request.user, year)})
