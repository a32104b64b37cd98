from django import forms

from organizations.models import Organization

CHOOSE_MESSAGE = "Choose an organization from the list."


class OrganizationSwitchForm(forms.Form):
    organization = forms.ModelChoiceField(
        queryset=Organization.objects.order_by("name"),
        error_messages={"required": CHOOSE_MESSAGE, "invalid_choice": CHOOSE_MESSAGE},
    )
