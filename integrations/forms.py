"""The Microsoft Entra ID connection form: precise validation, secrets write-only."""

import re

from django import forms
from django.utils import timezone

from integrations.certificates import CertificateProblem, certificate_credential_load
from integrations.models import EntraConnection

GUID_RE = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
DOMAIN_RE = re.compile(r"^(?=.{4,253}$)([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)+[a-zA-Z]{2,63}$")
MULTI_TENANT_ALIASES = {"common", "organizations", "consumers"}
SECRET_MAX_LENGTH = 1024  # Entra's secret Values are about 40 characters
PEM_MAX_LENGTH = 16384  # an RSA 4096 key in PEM is about 3,300 characters


class WriteOnlyTextarea(forms.Textarea):
    """A textarea that never renders a value: a private key typed into a refused form is not echoed back."""

    def format_value(self, value):
        return None


class EntraConnectionForm(forms.ModelForm):
    client_secret = forms.CharField(
        label="Client secret (Value)", required=False, strip=True, max_length=SECRET_MAX_LENGTH,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text="The secret's Value from Certificates & secrets. Leave empty to keep the stored secret.",
    )
    certificate_private_key = forms.CharField(
        label="Certificate private key (PEM)", required=False, strip=True, max_length=PEM_MAX_LENGTH,
        widget=WriteOnlyTextarea(attrs={"rows": 4, "autocomplete": "off", "spellcheck": "false"}),
        help_text="Unencrypted PEM. Never shown again after saving; leave empty to keep the stored key.",
    )

    class Meta:
        model = EntraConnection
        # The write-only secrets are declared above and deliberately not model fields of the form, so an empty
        # input never overwrites the stored value; the service applies them.
        # Feature switches live where their settings are (User Synchronization, SSO, Collaboration).
        fields = ["tenant_id", "client_id", "credential_type", "secret_expires_on", "certificate_pem"]
        labels = {"certificate_pem": "Certificate (PEM, public part)", "secret_expires_on": "Secret expires on"}
        help_texts = {
            "tenant_id": "Directory (tenant) ID from the app's Overview page, or a verified domain "
                         "(contoso.onmicrosoft.com).",
            "client_id": "Application (client) ID from the app's Overview page.",
        }
        widgets = {
            "credential_type": forms.RadioSelect,
            "secret_expires_on": forms.DateInput(attrs={"type": "date"}),
            "certificate_pem": forms.Textarea(attrs={"rows": 4, "spellcheck": "false", "maxlength": PEM_MAX_LENGTH}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tenant_id"].required = True
        self.fields["client_id"].required = True
        self.certificate = None

    def clean_certificate_pem(self):
        value = self.cleaned_data.get("certificate_pem") or ""
        if len(value) > PEM_MAX_LENGTH:
            raise forms.ValidationError(f"A certificate in PEM has at most {PEM_MAX_LENGTH} characters.")
        return value

    def unsaved_secrets(self) -> list[str]:
        """The secret fields the admin typed into a refused form: never echoed back, so they must be pasted again."""
        if not self.is_bound or not self.errors:
            return []
        return [name for name in ("client_secret", "certificate_private_key") if self.data.get(name)]

    def clean_tenant_id(self):
        value = self.cleaned_data["tenant_id"].strip()
        if value.lower() in MULTI_TENANT_ALIASES:
            raise forms.ValidationError(
                f"“{value}” is not a tenant. Enter your own Directory (tenant) ID: the app registration must be "
                "single-tenant and tokens are issued by your tenant."
            )
        if GUID_RE.match(value):
            return value.lower()
        if DOMAIN_RE.match(value):
            return value.lower()
        raise forms.ValidationError(
            "Enter the Directory (tenant) ID, a GUID like 72f988bf-86f1-41af-91ab-2d7cd011db47, or a verified "
            "domain like contoso.onmicrosoft.com."
        )

    def clean_client_id(self):
        value = self.cleaned_data["client_id"].strip()
        if not GUID_RE.match(value):
            raise forms.ValidationError(
                "Enter the Application (client) ID, a GUID like 00001111-aaaa-2222-bbbb-3333cccc4444, from the "
                "app registration's Overview page."
            )
        return value.lower()

    def clean_client_secret(self):
        value = self.cleaned_data["client_secret"]
        if value and GUID_RE.match(value):
            raise forms.ValidationError(
                "This looks like the Secret ID, not the secret's Value. In Certificates & secrets copy the Value "
                "column (shown only right after creating the secret)."
            )
        if value and (len(value) < 16 or any(ch.isspace() for ch in value)):
            raise forms.ValidationError(
                "This is not a complete client secret Value (Entra's secrets are about 40 characters, no spaces)."
            )
        return value

    def clean_secret_expires_on(self):
        value = self.cleaned_data.get("secret_expires_on")
        if value and value < timezone.localdate():
            raise forms.ValidationError(
                "This date is in the past, so the secret has expired. Create a new client secret in Entra."
            )
        return value

    def clean(self):
        cleaned = super().clean()
        credential_type = cleaned.get("credential_type")
        stored = self.instance
        if credential_type == EntraConnection.CredentialType.SECRET:
            if not cleaned.get("client_secret") and not stored.client_secret and "client_secret" not in self.errors:
                self.add_error("client_secret", "Enter the client secret Value.")
        elif credential_type == EntraConnection.CredentialType.CERTIFICATE:
            self._clean_certificate(cleaned, stored)
        return cleaned

    def _clean_certificate(self, cleaned, stored):
        private_key = cleaned.get("certificate_private_key") or stored.certificate_private_key
        certificate_pem = cleaned.get("certificate_pem") or ""
        if not private_key:
            self.add_error("certificate_private_key", "Paste the certificate's private key (PEM).")
            return
        if not certificate_pem:
            self.add_error("certificate_pem", "Paste the certificate (PEM) that you uploaded to the app.")
            return
        try:
            self.certificate = certificate_credential_load(private_key, certificate_pem)
        except CertificateProblem as exc:
            self.add_error("certificate_pem" if exc.part == "certificate" else "certificate_private_key", str(exc))
            return
        if self.certificate.not_after <= timezone.now():
            self.add_error("certificate_pem", f"This certificate expired on {self.certificate.not_after:%Y-%m-%d}.")
