"""The landing page: each role starts at its own unit."""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET
from django.views.i18n import set_language

from wuqiang.regions.models import Municipality


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


# The login page offers the language switch too, before anyone has signed in.
public_set_language = login_not_required(set_language)
