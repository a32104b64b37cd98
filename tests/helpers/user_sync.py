"""Helpers for user-sync tests: directory changes through the emulator's control API, and expectations."""

from extensions.models import Extension
from integrations.sync.models import SyncEvent
from integrations.sync.users.engine import OUTCOMES
from integrations.sync.users.models import UserSyncSettings


def settings_form(**overrides) -> dict:
    """The User Synchronization form as a browser posts it with the default settings (sync switched on);
    `name=None` leaves a field out (an unchecked checkbox)."""
    data = {"enabled": "on", "interval_minutes": "5", "scope": "all", "disabled_accounts": "remove",
            "numbering": "auto", "range_start": "1000", "range_end": "8999", "reserved_numbers": "",
            "number_attribute": "businessPhones", "number_rule": "last_digits", "number_digits": "4",
            "removal_grace_days": "30", "threshold_percent": "10", "threshold_count": "50", "custom_filter": ""}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


USER_FIELDS = "id,displayName,mail,userPrincipalName,accountEnabled,userType,jobTitle,department"


def directory_users(emu) -> list[dict]:
    """Every live user, read straight from the emulator (not through the product)."""
    users, url = [], f"users?$select={USER_FIELDS}&$top=999"
    token = emu.app_token()
    while url:
        body = emu.graph("GET", url, token=token).json()
        users.extend(body["value"])
        url = body.get("@odata.nextLink")
    return users


def in_scope_ids(emu) -> set[str]:
    """All Users scope with the defaults: members with enabled accounts."""
    return {u["id"] for u in directory_users(emu) if u["accountEnabled"] and u["userType"] == "Member"}


def active_synced(organization) -> dict[str, Extension]:
    return {str(e.entra_object_id): e for e in Extension.objects.filter(
        organization=organization, source="entra", status="active")}


def new_user(emu, name: str, **props) -> dict:
    nick = name.lower().replace(" ", ".")
    return emu.control("POST", "users", json={"displayName": name, "mailNickname": nick, "givenName": name.split()[0],
                                              "surname": name.split()[-1], **props})


def removal_events(run) -> list[SyncEvent]:
    return [e for e in run.events.filter(action__in=["disabled", "deleted"])
            if not e.reason.startswith("Not applied")]


def settings_of(organization, **fields) -> UserSyncSettings:
    """The organization's user sync settings with `fields` changed (and saved)."""
    settings, _ = UserSyncSettings.objects.get_or_create(organization=organization)
    for name, value in fields.items():
        setattr(settings, name, value)
    settings.save()
    return settings


def assert_counts_add_up(run) -> None:
    """Every user a finished run read has exactly one outcome: read = created + updated + restored + disabled +
    deleted + conflicts + unchanged + out_of_scope (purged, the grace-period deletions, is outside the sum)."""
    counts = run.counts or {}
    parts = {name: int(counts.get(name, 0)) for name in OUTCOMES}
    assert int(counts.get("read", 0)) == sum(parts.values()), (run.pk, run.status, counts)
