from django import forms

from extensions import phones
from extensions.models import Extension, RetainedNumber


class ExtensionForm(forms.ModelForm):
    """Create or edit a manual extension. Uniqueness is checked within the admin's organization."""

    class Meta:
        model = Extension
        fields = [
            "number", "display_name", "first_name", "last_name", "email",
            "job_title", "department", "business_phone", "mobile_phone",
        ]
        labels = {"number": "Extension number", "email": "E-mail"}

    def __init__(self, *args, organization, suggested_number: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.organization = organization
        if suggested_number and not self.instance.pk:
            if not self.initial.get("number"):
                self.initial["number"] = suggested_number
            self.fields["number"].help_text = f"Next free number: {suggested_number}. {self.fields['number'].help_text}"
        self.fields["number"].widget.attrs.update({"inputmode": "numeric", "autocomplete": "off"})
        for name in ("business_phone", "mobile_phone"):
            self.fields[name].widget.attrs["placeholder"] = "+1 425 555 0100"

    def clean_number(self):
        number = self.cleaned_data["number"].strip()
        taken = Extension.objects.for_organization(self.organization).filter(number=number)
        if self.instance.pk:
            taken = taken.exclude(pk=self.instance.pk)
        holder = taken.only("display_name").first()
        if holder is not None:
            raise forms.ValidationError(
                f"Extension {number} is already assigned to {holder.display_name}. Choose another number.",
                code="duplicate_number",
            )
        retained = RetainedNumber.objects.filter(organization=self.organization, number=number).first()
        if retained is not None:
            raise forms.ValidationError(
                f"Extension {number} is kept for {retained.holder}, a synchronized user whose extension was deleted: "
                "it comes back to them if they return to the sync scope. Choose another number.",
                code="retained_number",
            )
        return number

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if not email:
            return email
        # Single sign-on finds the extension by e-mail: two extensions with one address would be ambiguous.
        taken = Extension.objects.for_organization(self.organization).filter(email__iexact=email)
        if self.instance.pk:
            taken = taken.exclude(pk=self.instance.pk)
        holder = taken.only("number", "display_name").first()
        if holder is not None:
            raise forms.ValidationError(
                f"{email} is already used by extension {holder.number} ({holder.display_name}). Single sign-on "
                "finds extensions by e-mail, so each address can belong to one extension only.",
                code="duplicate_email",
            )
        return email

    def clean_business_phone(self):
        return self._phone("business_phone")

    def clean_mobile_phone(self):
        return self._phone("mobile_phone")

    def _phone(self, field: str) -> str:
        try:
            return phones.extension_field(self.cleaned_data[field], self.organization.default_region)
        except phones.PhoneNumberError as exc:
            raise forms.ValidationError(str(exc), code="invalid_phone") from exc
