"""Sign-in security pages: second factor, forced password change, lockouts, session clock."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.signals import user_login_failed
from django.contrib.auth.views import PasswordChangeView
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from wuqiang.accounts.permissions import can_unlock, is_system_admin
from wuqiang.audit.models import EventKind
from wuqiang.audit.services import record
from wuqiang.security import lockout, mfa
from wuqiang.security.forms import OneTimeCodeForm, UnlockForm
from wuqiang.security.gate import MFA_KEY, PASSWORD_CHANGE, PASSWORD_KEY, SECOND_FACTOR, allow_during
from wuqiang.security.middleware import session_remaining, touch


def _next_url(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next")
    if candidate and url_has_allowed_host_and_scheme(candidate, allowed_hosts={request.get_host()},
                                                     require_https=request.is_secure()):
        return candidate
    return reverse(settings.LOGIN_REDIRECT_URL)


# --- Second factor ----------------------------------------------------------------------------


@allow_during(SECOND_FACTOR)
@require_http_methods(["GET", "POST"])
def mfa_verify(request: HttpRequest) -> HttpResponse:
    if request.session.get(MFA_KEY) != "verify":
        return redirect(_next_url(request))
    form = OneTimeCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        verified = mfa.verify(user=request.user, token=form.cleaned_data["code"])
        if verified is not None:
            device, method = verified
            otp_login(request, device)
            request.session.pop(MFA_KEY, None)
            record(EventKind.MFA_VERIFIED, request=request, obj=request.user, method=method)
            if method == "recovery code":
                left = mfa.recovery_codes_left(request.user)
                messages.warning(request, _("You signed in with a recovery code; %(count)d are left. Make new ones "
                                            "on the two-factor page.") % {"count": left})
            return redirect(_next_url(request))
        # A wrong code counts towards the lockout like a wrong password.
        username = request.user.get_username()
        user_login_failed.send(sender=__name__, credentials={"username": username, "stage": "second factor"},
                               request=request)
        if getattr(request, "axes_locked_out", False):
            request.logout_reason = "locked out"
            logout(request)
            return lockout.lockout_response(request, credentials={"username": username})
        form.add_error("code", _("That code is not right, or it was used already. Enter the current code."))
    return render(request, "security/mfa_verify.html", {"form": form, "next": _next_url(request)})


@allow_during(SECOND_FACTOR)
@require_http_methods(["GET", "POST"])
def mfa_setup(request: HttpRequest) -> HttpResponse:
    owed = request.session.get(MFA_KEY)
    if owed == "verify":
        return redirect(f"{reverse('security:mfa-verify')}?next={reverse('security:mfa')}")
    if mfa.has_second_factor(request.user):
        return redirect("security:mfa")
    device = mfa.pending_enrolment(request.user)
    form = OneTimeCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = mfa.confirm_enrolment(user=request.user, device=device, token=form.cleaned_data["code"])
        if codes is not None:
            otp_login(request, TOTPDevice.objects.get(pk=device.pk))
            request.session.pop(MFA_KEY, None)
            return render(request, "security/recovery_codes.html",
                          {"codes": codes, "next": _next_url(request), "enrolled": True})
        form.add_error("code", _("That code is not right. Check the phone's clock and enter the current code."))
    return render(request, "security/mfa_setup.html", {
        "form": form, "qr_code": mfa.qr_code_data_uri(device), "manual_key": mfa.manual_key(device),
        "required": owed == "enrol", "next": _next_url(request),
    })


@require_GET
def mfa_overview(request: HttpRequest) -> HttpResponse:
    user = request.user
    return render(request, "security/mfa_overview.html", {
        "enabled": mfa.has_second_factor(user), "required": mfa.mfa_required(user),
        "codes_left": mfa.recovery_codes_left(user), "form": OneTimeCodeForm(),
    })


@require_POST
def mfa_disable(request: HttpRequest) -> HttpResponse:
    if mfa.mfa_required(request.user):
        messages.error(request, _("Your role requires two-factor sign-in; it cannot be turned off."))
        return redirect("security:mfa")
    form = OneTimeCodeForm(request.POST)
    if not form.is_valid() or mfa.verify(user=request.user, token=form.cleaned_data["code"]) is None:
        messages.error(request, _("That code is not right; two-factor sign-in stays on."))
        return redirect("security:mfa")
    mfa.disable(user=request.user)
    messages.success(request, _("Two-factor sign-in is off."))
    return redirect("security:mfa")


@require_POST
def recovery_codes_renew(request: HttpRequest) -> HttpResponse:
    if not request.user.is_verified():
        messages.error(request, _("Sign in with your second factor before making new recovery codes."))
        return redirect("security:mfa")
    codes = mfa.renew_recovery_codes(user=request.user)
    return render(request, "security/recovery_codes.html", {"codes": codes, "next": reverse("security:mfa")})


# --- Password change, required or chosen ------------------------------------------------------


class PortalPasswordChangeView(PasswordChangeView):
    """Django's password change; also the page a user who must change their password lands on."""

    def get_context_data(self, **kwargs):
        return super().get_context_data(forced=bool(self.request.session.get(PASSWORD_KEY)),
                                         next=_next_url(self.request), **kwargs)

    def form_valid(self, form):
        response = super().form_valid(form)
        if self.request.session.pop(PASSWORD_KEY, None):
            messages.success(self.request, _("Your password was changed."))
            return redirect(_next_url(self.request))
        return response


password_change = allow_during(PASSWORD_CHANGE)(PortalPasswordChangeView.as_view())


# --- Lockouts ---------------------------------------------------------------------------------


@require_GET
def lockout_list(request: HttpRequest) -> HttpResponse:
    if not can_unlock(request.user):
        raise PermissionDenied("Only municipal staff and administrators may unlock accounts.")
    return render(request, "security/lockouts.html", {
        "lockouts": lockout.current_lockouts(request.user), "admin": is_system_admin(request.user),
        "per_account": settings.AXES_FAILURE_LIMIT, "per_address": settings.LOGIN_FAILURES_PER_ADDRESS,
        "cooloff": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
    })


@require_POST
def unlock(request: HttpRequest) -> HttpResponse:
    if not can_unlock(request.user):
        raise PermissionDenied("Only municipal staff and administrators may unlock accounts.")
    form = UnlockForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Nothing to unlock: the form was incomplete."))
        return redirect("security:lockouts")
    value = form.cleaned_data["value"]
    try:
        if form.cleaned_data["kind"] == "account":
            lockout.unlock_account(actor=request.user, username=value, request=request)
        else:
            lockout.unlock_address(actor=request.user, ip_address=value, request=request)
    except lockout.NotAllowed as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, _("Unlocked %(what)s: it may sign in again.") % {"what": value})
    return redirect("security:lockouts")


# --- The session clock, for the idle warning script (static/js/session.js) -------------------


@login_not_required
@allow_during(SECOND_FACTOR, PASSWORD_CHANGE)
@require_http_methods(["GET", "POST"])
def session_status(request: HttpRequest) -> JsonResponse:
    """GET: seconds left, without counting as activity. POST ("stay signed in"): reset the idle clock."""
    request.keep_idle_clock = request.method == "GET"
    if not request.user.is_authenticated:
        return JsonResponse({"authenticated": False})
    if request.method == "POST":
        touch(request.session, force=True)
    return JsonResponse({"authenticated": True, "remaining": int(session_remaining(request.session))})
