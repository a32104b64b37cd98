"""Helpers shared by the presence tests: a connected organization with extensions bound to emulator users."""

import json
from io import StringIO

from django.core.management import call_command

from integrations.models import EntraConnection
from presence.models import PresenceSettings
from tests.helpers.factories import make_extension


def connect(emu, organization, *, direction=PresenceSettings.Direction.BOTH, writeback=True) -> EntraConnection:
    connection = EntraConnection.objects.create(
        organization=organization, tenant_id=emu.tenant_id, client_id=emu.client_id, client_secret=emu.client_secret,
        status=EntraConnection.Status.CONNECTED, feature_presence=True, feature_presence_writeback=writeback,
    )
    PresenceSettings.objects.create(organization=organization, direction=direction)
    return connection


def presence_read(organization, *, direction=PresenceSettings.Direction.BOTH) -> None:
    """Teams presence synchronization switched on (reading Teams): presence rows are shown as current only then."""
    EntraConnection.objects.update_or_create(organization=organization, defaults={
        "tenant_id": "contoso.onmicrosoft.com", "client_id": "c", "client_secret": "s", "feature_presence": True})
    PresenceSettings.objects.update_or_create(organization=organization, defaults={"direction": direction})


def bind(organization, users, start=2000):
    """One Entra-synced extension per emulator user (dicts with "id"), numbered from ``start``."""
    return [make_extension(organization, number=str(start + i), display_name=u.get("display_name", f"U{i}"),
                           source="entra", entra_object_id=u["id"]) for i, u in enumerate(users)]


def sync_presence(organization) -> dict:
    out = StringIO()
    try:
        call_command("sync_presence", organization.name, "--json", stdout=out)
    except SystemExit:
        pass
    return json.loads(out.getvalue())


def presence_requests(emu) -> int:
    return emu.request_counts()["by_route"].get("POST /v1.0/communications/getPresencesByUserId", 0)


def teams_presence(emu, user_id) -> tuple[str, str]:
    body = emu.graph("POST", "communications/getPresencesByUserId", json={"ids": [user_id]}).json()
    return body["value"][0]["availability"], body["value"][0]["activity"]


def directory_users(emu, limit=None) -> list[dict]:
    """Every emulated user as {"id", "display_name"} (tenant.json lists only the demo sign-ins)."""
    users, url = [], "users?$select=id,displayName&$top=999"
    while url and (limit is None or len(users) < limit):
        body = emu.graph("GET", url).json()
        users += [{"id": u["id"], "display_name": u["displayName"]} for u in body["value"]]
        url = body.get("@odata.nextLink")
    return users[:limit] if limit else users


def presence_writes(emu, user_id) -> tuple[int, int]:
    """How many setPresence and clearPresence requests the emulator received for this user."""
    by_path = emu.request_counts()["by_path"]
    return (by_path.get(f"POST /v1.0/users/{user_id}/presence/setPresence", 0),
            by_path.get(f"POST /v1.0/users/{user_id}/presence/clearPresence", 0))


def user_with(emu, availability) -> dict:
    """A seeded user whose own Teams state is ``availability`` (the seed cycles through 9 states)."""
    for user in directory_users(emu, 20):
        if teams_presence(emu, user["id"])[0] == availability:
            return user
    raise AssertionError(f"no seeded user is {availability}")
