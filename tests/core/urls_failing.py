"""The portal's URLs plus one view that fails, for the 500 page test."""

from django.urls import path

from wuqiang.urls import urlpatterns as portal_urlpatterns


def fail(request):
    raise RuntimeError("a detail only the server log may show")


urlpatterns = [path("fail/", fail), *portal_urlpatterns]
