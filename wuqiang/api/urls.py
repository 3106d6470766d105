"""/api/v1/ (the router), /api/schema/ (OpenAPI 3) and /api/docs/ (Swagger UI, vendored by
drf-spectacular-sidecar); any other path under /api/ is a JSON 404, never an HTML page."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from wuqiang.api import views
from wuqiang.api.exceptions import not_found
from wuqiang.api.routers import api_view_marks, router
from wuqiang.tickets.api import TicketViewSet

router.register("municipalities", views.MunicipalityViewSet, basename="municipality")
router.register("counties", views.CountyViewSet, basename="county")
router.register("townships", views.TownshipViewSet, basename="township")
router.register("villages", views.VillageViewSet, basename="village")
router.register("years", views.YearViewSet, basename="year")
router.register("entries", views.EntryViewSet, basename="entry")
router.register("scorecards/villages", views.VillageScorecardViewSet, basename="village-scorecard")
router.register("scorecards/townships", views.TownshipScorecardViewSet, basename="township-scorecard")
router.register("scorecards/counties", views.CountyScorecardViewSet, basename="county-scorecard")
router.register("scorecards/municipalities", views.MunicipalScorecardViewSet, basename="municipal-scorecard")
router.register("schemes", views.SchemeViewSet, basename="scheme")
router.register("nominations", views.NominationViewSet, basename="nomination")
router.register("county-incomes", views.CountyIncomeViewSet, basename="county-income")
router.register("tickets", TicketViewSet, basename="ticket")

app_name = "api"

urlpatterns = [
    path("v1/", include(router.urls)),
    path("schema/", api_view_marks(SpectacularAPIView.as_view()), name="schema"),
    path("docs/", api_view_marks(SpectacularSwaggerSplitView.as_view(url_name="api:schema")), name="docs"),
    re_path(r"^.*$", api_view_marks(not_found)),
]
