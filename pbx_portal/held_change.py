"""A settings change held, not saved, until a worker has had it accepted (by Microsoft Graph, say).

The held change is a JSON dict stored on the settings row: what the form cleaned (to save once accepted), the form
as the admin typed it (to show again, with the refusal as the form's error), who asked and when. The settings in
effect stay as they were until the change is accepted; a later save replaces the held change.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.http import QueryDict
from django.utils import timezone

PENDING, REFUSED = "pending", "refused"


def held_change(*, cleaned_data: dict, form_data: QueryDict, checks: list[str], actor) -> dict:
    """The change to keep while it is checked (cleaned_data must be JSON-serializable)."""
    return {
        "status": PENDING, "checks": checks, "cleaned_data": cleaned_data,
        "form_data": {key: values for key, values in form_data.lists() if key != "csrfmiddlewaretoken"},
        "actor": actor.pk if getattr(actor, "is_authenticated", False) else None,
        "requested_at": timezone.now().isoformat(),
    }


def refused_change(held: dict, *, field: str, message: str) -> dict:
    """The held change, refused: its form stays on the page with `message` as the error of `field`."""
    return {**held, "status": REFUSED, "field": field, "message": message, "checked_at": timezone.now().isoformat()}


def same_request(held: dict, current: dict) -> bool:
    """Whether `current` (read again after the check) is still the change that was checked, not a newer save."""
    return bool(current) and current.get("requested_at") == held.get("requested_at")


def held_actor(held: dict):
    """Who asked for the change (None when unknown or since deleted)."""
    actor = held.get("actor")
    return get_user_model().objects.filter(pk=actor).first() if actor else None


def held_form_data(held: dict | None) -> QueryDict | None:
    """The form as the admin typed it, while their change waits or after it was refused."""
    data = (held or {}).get("form_data")
    if data is None:
        return None
    form_data = QueryDict(mutable=True)
    for key, values in data.items():
        form_data.setlist(key, values)
    return form_data


def status_summary(held: dict | None) -> dict:
    """What a page polls: {status, field, message} (all None when nothing is held)."""
    return {key: (held or {}).get(key) for key in ("status", "field", "message")}
