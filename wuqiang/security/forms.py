from django import forms
from django.utils.translation import gettext_lazy as _


class OneTimeCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Verification code"), max_length=32, strip=True,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True, "spellcheck": "false"}),
    )


class UnlockForm(forms.Form):
    kind = forms.ChoiceField(choices=[("account", _("Account")), ("address", _("Address"))])
    value = forms.CharField(max_length=150)
