"""The portal pages where a user makes, lists and revokes their own API tokens."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from wuqiang.api.models import ApiToken
from wuqiang.api.services import token_create, token_revoke


class TokenForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=64,
                           help_text=gettext_lazy("The system that will use the token, e.g. the county's statistics."))
    expires_on = forms.DateField(label=gettext_lazy("Expires on"), required=False,
                                 widget=forms.DateInput(attrs={"type": "date"}),
                                 help_text=gettext_lazy("Optional; at most a year ahead. Empty: until you revoke it."))


@require_http_methods(["GET", "POST"])
def token_list(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST or None)
    created = None
    if request.method == "POST" and form.is_valid():
        try:
            token, raw = token_create(user=request.user, name=form.cleaned_data["name"],
                                      expires_on=form.cleaned_data["expires_on"])
        except ValidationError as invalid:
            for field, errors in (invalid.message_dict.items() if hasattr(invalid, "error_dict")
                                  else [(None, invalid.messages)]):
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
        else:
            # Shown on this answer only (not stored, not redirected to): the page is no-store.
            created = {"token": token, "raw": raw}
            form = TokenForm()
    tokens = ApiToken.objects.filter(user=request.user).order_by("revoked_at", "-created_at")
    return render(request, "api/tokens.html", {"form": form, "tokens": tokens, "created": created},
                  status=400 if request.method == "POST" and form.errors else 200)


@require_POST
def token_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    # Another user's token is 404, like anything outside one's scope.
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    token_revoke(token=token, actor=request.user)
    messages.success(request, _("Token “%(name)s” revoked: it no longer works.") % {"name": token.name})
    return redirect("api-tokens")


urlpatterns = [
    path("accounts/tokens/", token_list, name="api-tokens"),
    path("accounts/tokens/<int:pk>/revoke/", token_revoke_view, name="api-token-revoke"),
]
