from django.urls import path

from wuqiang.imports import views

app_name = "imports"

urlpatterns = [
    path("imports/", views.batch_list, name="list"),
    path("imports/townships/<str:code>/<int:year>/<slug:sheet>/template/", views.template_download,
         name="template"),
    path("imports/townships/<str:code>/<int:year>/<slug:sheet>/upload/", views.upload, name="upload"),
    path("imports/<int:pk>/", views.batch_detail, name="batch"),
    path("imports/<int:pk>/apply/", views.batch_apply, name="apply"),
    path("imports/<int:pk>/errors/", views.error_download, name="errors"),
]
