"""What the Collaboration page's presence section shows (used by its template tag and by the POST view)."""

from integrations.graph import presence as graph_presence
from integrations.models import EntraConnection
from integrations.services import connection_for
from presence.forms import PresenceSettingsForm, mapping_choices
from presence.selectors import presence_settings_for


def missing_permissions(connection: EntraConnection, settings) -> list[str]:
    """Presence permissions known to be missing: from the last poll/call event, else the last Test Connection."""
    missing = set(settings.missing_permissions or ())
    if settings.permissions_checked_at is None:
        failed = {check.get("key", "").partition(":")[2] for check in (connection.last_test_results or [])
                  if check.get("key", "").startswith("permission:") and check.get("status") == "fail"}
        missing |= failed & {graph_presence.READ_PERMISSION, graph_presence.WRITE_PERMISSION}
    if not settings.writes_teams:
        missing.discard(graph_presence.WRITE_PERMISSION)
    return sorted(missing)


def collaboration_section_context(request, form: PresenceSettingsForm | None = None) -> dict:
    connection = connection_for(request.organization)
    settings = presence_settings_for(request.organization)
    if form is None:
        form = PresenceSettingsForm(initial={
            "enabled": connection.feature_presence, "direction": settings.direction,
            "poll_interval_seconds": settings.poll_interval_seconds,
        }, mapping_rows=list(settings.mapping))
    rows = list(form.mapping_rows) + [{"availability": "", "activity": "*", "pbx_state": ""}] * 3
    checked = settings.permissions_checked_at or connection.last_tested_at
    return {"form": form, "settings": settings, "connection": connection, "mapping_rows": rows,
            "missing_permissions": missing_permissions(connection, settings), "permissions_checked_at": checked,
            "read_permission": graph_presence.READ_PERMISSION, "write_permission": graph_presence.WRITE_PERMISSION,
            **mapping_choices()}
