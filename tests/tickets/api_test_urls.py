"""The project's URLs plus the tickets API where the lead mounts it (tests only)."""

from django.urls import include, path

from wuqiang.urls import urlpatterns as project_urls

urlpatterns = [path("api/v1/tickets/", include("wuqiang.tickets.api_urls")), *project_urls]
