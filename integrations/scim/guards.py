"""Graph pull or SCIM push, never both: the checks each side makes before switching on."""

from __future__ import annotations

from integrations.models import EntraConnection
from integrations.scim.models import ScimProvisioning

GRAPH_SYNC_ON = ("Graph user synchronization is switched on (User Synchronization tab). An organization takes its "
                 "users either from Graph (pull) or from Microsoft Entra provisioning (SCIM push): switch user "
                 "synchronization off first, or choose SCIM push below.")
SCIM_ON = ("SCIM provisioning is switched on: Microsoft Entra provisioning pushes the users (SCIM provisioning tab). "
           "Choose Graph pull on that tab first; nothing is deleted by switching.")


def graph_sync_on(organization) -> bool:
    return EntraConnection.objects.filter(organization=organization, feature_user_sync=True).exists()


def scim_on(organization) -> bool:
    return ScimProvisioning.objects.filter(organization=organization, enabled=True).exists()


def graph_sync_refusal(organization) -> str | None:
    """Registered with user synchronization: it may not be switched on while SCIM push is."""
    return SCIM_ON if scim_on(organization) else None
