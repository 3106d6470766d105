from django.urls import path

from wuqiang.reports import views

app_name = "reports"

urlpatterns = [
    path("reports/export/", views.export_start, name="export-start"),
    path("reports/exports/", views.export_list, name="exports"),
    path("reports/exports/<int:pk>/", views.export_status, name="export"),
    path("reports/exports/<int:pk>/download/", views.export_download, name="download"),
]
