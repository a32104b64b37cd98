"""Teams presence -> PBX presence state: the states, the default mapping table and the pure lookup.

A mapping rule is ``{"availability": ..., "activity": ... or "*", "pbx_state": ...}``. A rule naming the exact
activity wins over the availability's ``*`` rule; anything unmatched is ``unknown``. No Django models here.
"""

AVAILABILITIES = ("Available", "AvailableIdle", "Away", "BeRightBack", "Busy", "BusyIdle", "DoNotDisturb",
                  "Offline", "PresenceUnknown")
ACTIVITIES = ("Available", "Away", "BeRightBack", "Busy", "DoNotDisturb", "InACall", "InAConferenceCall",
              "Inactive", "InAMeeting", "Offline", "OffWork", "OutOfOffice", "PresenceUnknown", "Presenting",
              "UrgentInterruptionsOnly")
ANY = "*"

PBX_STATES = (
    ("available", "Available"),
    ("busy", "Busy"),
    ("on_call", "Busy, in a call"),
    ("dnd", "Do not disturb"),
    ("away", "Away"),
    ("offline", "Offline"),
    ("unknown", "Unknown"),
)
PBX_STATE_LABELS = dict(PBX_STATES)
UNKNOWN = "unknown"

DEFAULT_MAPPING = (
    {"availability": "Available", "activity": ANY, "pbx_state": "available"},
    {"availability": "AvailableIdle", "activity": ANY, "pbx_state": "available"},
    {"availability": "Busy", "activity": "InACall", "pbx_state": "on_call"},
    {"availability": "Busy", "activity": "InAConferenceCall", "pbx_state": "on_call"},
    {"availability": "Busy", "activity": ANY, "pbx_state": "busy"},
    {"availability": "BusyIdle", "activity": ANY, "pbx_state": "busy"},
    {"availability": "DoNotDisturb", "activity": ANY, "pbx_state": "dnd"},
    {"availability": "Away", "activity": ANY, "pbx_state": "away"},
    {"availability": "BeRightBack", "activity": ANY, "pbx_state": "away"},
    {"availability": "Offline", "activity": "OutOfOffice", "pbx_state": "away"},
    {"availability": "Offline", "activity": ANY, "pbx_state": "offline"},
    {"availability": "PresenceUnknown", "activity": ANY, "pbx_state": "unknown"},
)


class MappingError(ValueError):
    pass


def mapping_table(rules) -> dict[tuple[str, str], str]:
    """Rules as a lookup dict; raises MappingError (with the row number) on an invalid or duplicate rule."""
    table: dict[tuple[str, str], str] = {}
    valid_states = set(PBX_STATE_LABELS)
    for number, rule in enumerate(rules or (), start=1):
        if not isinstance(rule, dict):
            raise MappingError(f"Row {number}: not a rule.")
        availability, activity, state = rule.get("availability"), rule.get("activity") or ANY, rule.get("pbx_state")
        if availability not in AVAILABILITIES:
            raise MappingError(f"Row {number}: unknown Teams availability {availability!r}.")
        if activity != ANY and activity not in ACTIVITIES:
            raise MappingError(f"Row {number}: unknown Teams activity {activity!r}.")
        if state not in valid_states:
            raise MappingError(f"Row {number}: unknown PBX state {state!r}.")
        if (availability, activity) in table:
            raise MappingError(f"Row {number}: {availability} / {activity} is mapped twice.")
        table[(availability, activity)] = state
    return table


def pbx_state_for(table: dict[tuple[str, str], str], availability: str, activity: str) -> str:
    return table.get((availability, activity)) or table.get((availability, ANY)) or UNKNOWN
