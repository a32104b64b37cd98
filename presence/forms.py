"""The Microsoft Teams Presence section of Integrations > Collaboration."""

from django import forms

from presence.mapping import ACTIVITIES, ANY, AVAILABILITIES, PBX_STATES, MappingError, mapping_table
from presence.models import PresenceSettings, default_mapping

BLANK_ROWS = 3


class PresenceSettingsForm(forms.Form):
    enabled = forms.BooleanField(label="Enable Microsoft Teams presence synchronization", required=False)
    direction = forms.ChoiceField(label="Direction", choices=PresenceSettings.Direction.choices)
    poll_interval_seconds = forms.IntegerField(
        label="Poll interval (seconds)", min_value=PresenceSettings.MIN_POLL_SECONDS,
        max_value=PresenceSettings.MAX_POLL_SECONDS,
        help_text=f"How often Teams presence is read. Default {PresenceSettings.DEFAULT_POLL_SECONDS} s, "
                  f"at least {PresenceSettings.MIN_POLL_SECONDS} s.")
    reset_mapping = forms.BooleanField(label="Reset the mapping table to the defaults", required=False)

    def __init__(self, *args, mapping_rows: list[dict] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.mapping_rows = mapping_rows or []
        self.mapping_error = ""

    @classmethod
    def from_post(cls, data) -> "PresenceSettingsForm":
        rows = []
        for availability, activity, state in zip(data.getlist("mapping_availability"),
                                                 data.getlist("mapping_activity"),
                                                 data.getlist("mapping_pbx_state"), strict=False):
            rows.append({"availability": availability.strip(), "activity": (activity or ANY).strip(),
                         "pbx_state": state.strip()})
        return cls(data, mapping_rows=rows)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("reset_mapping"):
            cleaned["mapping"] = default_mapping()
            return cleaned
        rules = [row for row in self.mapping_rows if row["availability"]]  # a blank availability removes the row
        try:
            mapping_table(rules)
        except MappingError as exc:
            self.mapping_error = f"Mapping table: {exc}"
            raise forms.ValidationError(self.mapping_error) from None
        if not rules:
            self.mapping_error = "Mapping table: keep at least one rule (or tick Reset to the defaults)."
            raise forms.ValidationError(self.mapping_error)
        cleaned["mapping"] = rules
        return cleaned


def mapping_choices() -> dict:
    return {"availabilities": AVAILABILITIES, "activities": (ANY, *ACTIVITIES), "pbx_states": PBX_STATES}
