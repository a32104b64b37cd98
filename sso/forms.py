from django import forms
from django.core.validators import RegexValidator

from sso.models import SsoSettings


class EmailForm(forms.Form):
    email = forms.EmailField(label="Email", max_length=254,
                             widget=forms.EmailInput(attrs={"autocomplete": "username", "autofocus": True}))


class UcSignInForm(forms.Form):
    """The UC Client's first screen: the email is a hint (it finds the organization and pre-fills Microsoft's
    sign-in); not needed with the organization in the sign-in link, or with one organization on the portal."""

    email = forms.EmailField(label="Work email", max_length=254, required=False,
                             widget=forms.EmailInput(attrs={"autocomplete": "username",
                                                            "aria-describedby": "email-help"}))
    # The sign-in link's organization: its slug signed by the portal (sso.links), so a guessed slug names nothing.
    org = forms.CharField(max_length=200, required=False, widget=forms.HiddenInput, validators=[RegexValidator(
        r"^[-a-z0-9]+:[-_A-Za-z0-9]+$", "This sign-in link is not valid. Ask your administrator for the link.")])


class PasswordSignInForm(forms.Form):
    email = forms.EmailField(max_length=254, widget=forms.HiddenInput)
    password = forms.CharField(label="PBX password", max_length=256, strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"},
                                                          render_value=False))


class SsoSettingsForm(forms.ModelForm):
    class Meta:
        model = SsoSettings
        fields = ["allow_sso_login", "require_microsoft_for_admins"]

    def __init__(self, *args, admin_linked: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.admin_linked = admin_linked

    def clean_require_microsoft_for_admins(self):
        value = self.cleaned_data["require_microsoft_for_admins"]
        if value and not self.admin_linked:
            raise forms.ValidationError("Link your own Microsoft account first (below), so you keep access to the "
                                        "portal once password sign-in is refused.")
        return value


class UcPasswordForm(forms.Form):
    password = forms.CharField(label="New PBX password", min_length=10, max_length=256, strip=False,
                               widget=forms.PasswordInput(render_value=False))
