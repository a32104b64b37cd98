from django import forms

from organizations.models import Organization
from organizations.regions import region_choices

CHOOSE_MESSAGE = "Choose an organization from the list."


class OrganizationSwitchForm(forms.Form):
    organization = forms.ModelChoiceField(
        queryset=Organization.objects.order_by("name"),
        error_messages={"required": CHOOSE_MESSAGE, "invalid_choice": CHOOSE_MESSAGE},
    )


class OrganizationSettingsForm(forms.ModelForm):
    """Organization settings an admin may change: how phone numbers without a country code are read."""

    class Meta:
        model = Organization
        fields = ["default_region"]
        labels = {"default_region": "Default region for phone numbers"}
        help_texts = {"default_region": "Numbers written without a country code, such as (425) 555-0100 in Entra, "
                                        "Outlook contacts or the manual extension form, are read as numbers of this "
                                        "region; caller-ID lookup reads numbers the PBX sends without one the same "
                                        "way."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["default_region"].widget = forms.Select(choices=region_choices())

    def clean_default_region(self):
        region = (self.cleaned_data.get("default_region") or "").upper()
        if region not in dict(region_choices()):
            raise forms.ValidationError("Choose a region from the list.", code="invalid_region")
        return region
