from django import forms

from organizations.models import Organization
from organizations.regions import region_choices
from organizations.time_zones import is_time_zone, region_for_time_zone, time_zone_choices

CHOOSE_MESSAGE = "Choose an organization from the list."


class OrganizationSwitchForm(forms.Form):
    organization = forms.ModelChoiceField(
        queryset=Organization.objects.order_by("name"),
        error_messages={"required": CHOOSE_MESSAGE, "invalid_choice": CHOOSE_MESSAGE},
    )


FROM_TIME_ZONE = ""  # the region choice "the time zone's country"


class OrganizationSettingsForm(forms.ModelForm):
    """Organization settings an admin may change: the time zone pages show, and how phone numbers without a
    country code are read (by default the time zone's country)."""

    class Meta:
        model = Organization
        fields = ["time_zone", "default_region"]
        labels = {"time_zone": "Time zone", "default_region": "Default region for phone numbers"}
        help_texts = {"default_region": "Numbers written without a country code, such as (425) 555-0100 in Entra, "
                                        "Outlook contacts or the manual extension form, are read as numbers of this "
                                        "region; caller-ID lookup reads numbers the PBX sends without one the same "
                                        "way."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.stored_time_zone = self.instance.time_zone
        self.fields["time_zone"].widget = forms.Select(choices=time_zone_choices())
        self.fields["time_zone"].required = False  # not sent: unchanged
        self.fields["time_zone"].help_text = ("Pages show times in this zone, with the zone's name; hover a time to "
                                              "see it in UTC. Exports and the APIs always use UTC (ISO 8601).")
        self.fields["default_region"].required = False
        self.fields["default_region"].widget = forms.Select(
            choices=[(FROM_TIME_ZONE, "The time zone's country"), *region_choices()])

    def clean_time_zone(self):
        name = self.cleaned_data.get("time_zone") or self.stored_time_zone
        if not is_time_zone(name):
            raise forms.ValidationError("Choose a time zone from the list.", code="invalid_time_zone")
        return name

    def clean_default_region(self):
        region = (self.cleaned_data.get("default_region") or "").upper()
        if region != FROM_TIME_ZONE and region not in dict(region_choices()):
            raise forms.ValidationError("Choose a region from the list.", code="invalid_region")
        return region

    def clean(self):
        cleaned = super().clean()
        if "default_region" in cleaned and cleaned["default_region"] == FROM_TIME_ZONE and "time_zone" in cleaned:
            region = region_for_time_zone(cleaned["time_zone"])
            if region not in dict(region_choices()):
                self.add_error("default_region", forms.ValidationError(
                    "Choose a region from the list: the time zone %(zone)s is in no country.",
                    code="invalid_region", params={"zone": cleaned["time_zone"]}))
            else:
                cleaned["default_region"] = region
        return cleaned
