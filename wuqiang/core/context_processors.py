"""Context every page's layout needs: the user's scope, years and the selected year."""

from django.http import HttpRequest

from wuqiang.accounts.scope import Scope
from wuqiang.core.years import all_years, selected_year


def portal(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "scope": Scope.of(user),
        "assessment_years": all_years(request),
        "selected_year": selected_year(request),
    }
