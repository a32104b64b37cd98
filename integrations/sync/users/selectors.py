"""Reads of user provisioning for other rooms' pages."""

from integrations.sync.models import SyncKind
from integrations.sync.selectors import latest_run


def extension_list_context(organization) -> dict:
    """The Extensions list names the last finished user sync (added through extensions.hooks)."""
    return {"last_user_sync": latest_run(organization, SyncKind.USERS, finished=True)}
