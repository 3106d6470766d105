from django.urls import path

from wuqiang.security import views

app_name = "security"

urlpatterns = [
    path("accounts/two-factor/", views.mfa_overview, name="mfa"),
    path("accounts/two-factor/setup/", views.mfa_setup, name="mfa-setup"),
    path("accounts/two-factor/verify/", views.mfa_verify, name="mfa-verify"),
    path("accounts/two-factor/disable/", views.mfa_disable, name="mfa-disable"),
    path("accounts/two-factor/recovery-codes/", views.recovery_codes_renew, name="recovery-codes"),
    path("accounts/lockouts/", views.lockout_list, name="lockouts"),
    path("accounts/lockouts/unlock/", views.unlock, name="unlock"),
    path("accounts/session/", views.session_status, name="session"),
]
