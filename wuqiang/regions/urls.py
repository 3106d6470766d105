from django.urls import path

from wuqiang.regions import views

app_name = "regions"

urlpatterns = [
    path("municipalities/", views.MunicipalityListView.as_view(), name="municipality-list"),
    path("search/", views.village_search, name="search"),
    path("municipalities/<str:code>/", views.MunicipalityDetailView.as_view(), name="municipality"),
    path("municipalities/<str:code>/years/", views.municipality_years, name="years"),
    path("counties/<str:code>/", views.CountyDetailView.as_view(), name="county"),
    path("townships/<str:code>/", views.TownshipDetailView.as_view(), name="township"),
    path("villages/<str:code>/", views.VillageDetailView.as_view(), name="village"),
]
