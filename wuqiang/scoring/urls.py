from django.urls import path

from wuqiang.scoring import insight_views, views

app_name = "scoring"

urlpatterns = [
    path("dashboard/municipalities/<str:code>/", views.municipality_dashboard, name="municipality"),
    path("dashboard/counties/<str:code>/", views.county_dashboard, name="county"),
    path("dashboard/townships/<str:code>/", views.township_dashboard, name="township"),
    path("dashboard/villages/<str:code>/", views.village_dashboard, name="village"),
    path("dashboard/<str:level>/<str:code>/failing/", views.failing_list, name="failing"),
    path("dashboard/rollup/", views.rollup_start, name="rollup-start"),
    path("dashboard/rollup/runs/<int:pk>/", views.rollup_run, name="rollup-run"),
    path("scoring/schemes/<str:code>/<int:year>/", views.scheme_page, name="scheme"),
    path("scoring/schemes/<str:code>/<int:year>/preview/", views.scheme_preview, name="scheme-preview"),
    path("scoring/demonstration/<str:code>/<int:year>/", views.demonstration, name="demonstration"),
    path("scoring/demonstration/nominations/<int:pk>/decide/", views.nomination_decide, name="nomination-decide"),
    path("scoring/schemes/<str:code>/<int:year>/what-if/", views.scheme_whatif, name="scheme-whatif"),
    path("scoring/what-if/<int:pk>/", views.whatif, name="whatif"),
    path("screen/<str:code>/", insight_views.big_screen, name="screen"),
    path("insight/<str:level>/<str:code>/", insight_views.insight_page, name="insight"),
    path("scoring/schemes/<str:code>/<int:year>/what-if/", views.scheme_whatif, name="scheme-whatif"),
    path("scoring/what-if/<int:pk>/", views.whatif, name="whatif"),
    path("insight/<str:level>/<str:code>/cells/<str:child>/<str:indicator>/", insight_views.insight_cell,
         name="insight-cell"),
]
