"""The User Synchronization form: scope, numbering, removal policy, safety threshold and schedule."""

import copy

from django import forms

from extensions.numbering import parse_reserved
from integrations.graph.users import FILTER_EXAMPLE
from integrations.sync.users.models import DirectoryGroup, UserSyncSettings
from integrations.sync.users.provisioning_mode import enable_refusal

FILTER_MAX_LENGTH = 2000


class UserSyncSettingsForm(forms.ModelForm):
    enabled = forms.BooleanField(label="Synchronize users and extensions from Microsoft Entra ID", required=False)
    group_ids = forms.MultipleChoiceField(label="Groups", required=False, widget=forms.CheckboxSelectMultiple)
    interval_minutes = forms.IntegerField(label="Sync every (minutes)", min_value=1, max_value=1440, initial=5,
                                          help_text="Incremental syncs read only the changes, so 1 to 5 minutes is "
                                                    "cheap.")
    never_delete = forms.BooleanField(label="Never delete: keep removed users' extensions disabled", required=False)

    class Meta:
        model = UserSyncSettings
        fields = ["scope", "include_guests", "disabled_accounts", "custom_filter", "numbering", "range_start",
                  "range_end", "reserved_numbers", "number_attribute", "number_rule", "number_digits",
                  "removal_grace_days", "threshold_percent", "threshold_count"]
        labels = {
            "custom_filter": "Custom filter (OData $filter on users)",
            "range_start": "Range from", "range_end": "Range to",
            "reserved_numbers": "Reserved numbers (never assigned)",
            "number_attribute": "Entra attribute", "number_rule": "Rule", "number_digits": "N (digits)",
            "removal_grace_days": "Delete disabled extensions after (days)",
            "threshold_percent": "Stop for approval above (% of synced extensions)",
            "threshold_count": "or above (extensions), whichever is smaller",
        }
        help_texts = {
            "custom_filter": f"For example: {FILTER_EXAMPLE}. Checked by Microsoft Graph when you save.",
            "reserved_numbers": "Numbers and ranges separated by commas, e.g. 1000-1009, 1111.",
        }
        widgets = {
            "scope": forms.RadioSelect, "disabled_accounts": forms.RadioSelect, "numbering": forms.RadioSelect,
            "custom_filter": forms.Textarea(attrs={"rows": 2, "spellcheck": "false", "maxlength": FILTER_MAX_LENGTH}),
            "number_attribute": forms.Select(choices=[(a, a) for a in UserSyncSettings.NUMBER_ATTRIBUTES]),
            "reserved_numbers": forms.TextInput(attrs={"placeholder": "1000-1009, 1111", "autocomplete": "off"}),
        }

    def __init__(self, *args, organization, enabled: bool, interval_minutes: int, **kwargs):
        super().__init__(*args, **kwargs)
        # Validating writes the typed values onto the instance: keep them off the caller's settings, which the page
        # shows as the settings in effect (the services save from a fresh read, never from this instance).
        self.instance = copy.copy(self.instance)
        self.organization = organization
        cached = DirectoryGroup.objects.filter(organization=organization).values_list("entra_id", "name")
        chosen = {g["id"]: g.get("name") or g["id"] for g in self.instance.groups}
        choices = dict(cached)
        choices.update({gid: name for gid, name in chosen.items() if gid not in choices})
        self.group_names = choices
        # The chosen groups first, then the others by name (a searchable checkbox list).
        self.fields["group_ids"].choices = sorted(choices.items(),
                                                  key=lambda item: (item[0] not in chosen, item[1].lower()))
        self.fields["group_ids"].initial = list(chosen)
        self.fields["enabled"].initial = enabled
        self.fields["interval_minutes"].initial = interval_minutes
        self.fields["never_delete"].initial = self.instance.removal_grace_days is None
        self.fields["removal_grace_days"].required = False
        for name in ("range_start", "range_end", "number_digits", "removal_grace_days", "threshold_percent",
                     "threshold_count"):
            self.fields[name].widget.attrs["inputmode"] = "numeric"

    def clean_custom_filter(self):
        value = " ".join((self.cleaned_data.get("custom_filter") or "").split())
        if len(value) > FILTER_MAX_LENGTH:
            raise forms.ValidationError(f"Keep the filter under {FILTER_MAX_LENGTH} characters.")
        return value

    def clean_reserved_numbers(self):
        value = self.cleaned_data.get("reserved_numbers") or ""
        try:
            parse_reserved(value)
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from exc
        return value.strip()

    def clean_number_attribute(self):
        value = self.cleaned_data["number_attribute"]
        if value not in UserSyncSettings.NUMBER_ATTRIBUTES:
            raise forms.ValidationError("Choose one of the listed attributes.")
        return value

    def clean_number_digits(self):
        value = self.cleaned_data["number_digits"]
        if not 2 <= value <= 10:
            raise forms.ValidationError("Extension numbers have 2 to 10 digits.")
        return value

    def clean_threshold_percent(self):
        value = self.cleaned_data["threshold_percent"]
        if not 0 <= value <= 100:
            raise forms.ValidationError("Enter a percentage from 0 to 100.")
        return value

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("range_start"), cleaned.get("range_end")
        for name, value in (("range_start", start), ("range_end", end)):
            if value is not None and not 10 <= value <= 9_999_999_999:
                self.add_error(name, "Extension numbers have 2 to 10 digits and do not start with 0.")
        if start is not None and end is not None and start > end:
            self.add_error("range_end", "The range must end after it starts.")
        scope = cleaned.get("scope")
        groups = [{"id": gid, "name": self.group_names.get(gid, gid)} for gid in cleaned.get("group_ids") or []]
        cleaned["groups"] = groups
        if scope == UserSyncSettings.Scope.GROUPS and not groups:
            self.add_error("group_ids", "Choose at least one group for the Specific Groups scope.")
        if scope == UserSyncSettings.Scope.FILTER and not cleaned.get("custom_filter"):
            self.add_error("custom_filter", "Enter the filter for the Custom Filter scope.")
        if cleaned.get("enabled") and not self.fields["enabled"].initial:
            refusal = enable_refusal(self.organization)
            if refusal:
                self.add_error("enabled", refusal)
        if cleaned.get("never_delete"):
            cleaned["removal_grace_days"] = None
        elif cleaned.get("removal_grace_days") is None and "removal_grace_days" not in self.errors:
            self.add_error("removal_grace_days", "Enter a number of days, or tick “Never delete”.")
        return cleaned


class SingleUserForm(forms.Form):
    user = forms.CharField(label="E-mail or user principal name", max_length=254,
                           widget=forms.TextInput(attrs={"placeholder": "alex@contoso.com", "autocomplete": "off"}))

    def clean_user(self):
        value = self.cleaned_data["user"].strip()
        if "@" not in value or any(ch.isspace() for ch in value) or "/" in value or "\x00" in value:
            raise forms.ValidationError("Enter an e-mail address or user principal name like alex@contoso.com.")
        return value


class FilterPreviewForm(forms.Form):
    custom_filter = forms.CharField(max_length=FILTER_MAX_LENGTH)
