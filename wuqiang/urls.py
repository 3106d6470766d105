"""Root URLs. Every view needs a login (LoginRequiredMiddleware) unless marked public."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from wuqiang.core import views as core_views
from wuqiang.security.gate import PASSWORD_CHANGE, SECOND_FACTOR, allow_during
from wuqiang.security.views import password_change

urlpatterns = [
    path("", core_views.home, name="home"),
    path("help/", core_views.help_page, name="help"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", allow_during(SECOND_FACTOR, PASSWORD_CHANGE)(auth_views.LogoutView.as_view()),
         name="logout"),
    path("accounts/password/", password_change, name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("i18n/setlang/", core_views.public_set_language, name="set_language"),
    path("admin/", admin.site.urls),
    path("api/", include("wuqiang.api.urls")),
    path("", include("wuqiang.api.portal")),
    path("", include("wuqiang.security.urls")),
    path("", include("wuqiang.audit.urls")),
    path("", include("wuqiang.regions.urls")),
    path("", include("wuqiang.entries.urls")),
    path("", include("wuqiang.scoring.urls")),
    path("", include("wuqiang.reports.urls")),
    path("", include("wuqiang.imports.urls")),
    path("", include("wuqiang.tickets.urls")),
    path("", include("support.urls")),
]
