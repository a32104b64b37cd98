"""Graph pull or SCIM push, chosen on the SCIM provisioning tab. Switching never deletes anything by itself:

- to SCIM push: Graph user synchronization is switched off (extensions stay as they are; Entra's first
  provisioning cycle matches them by userName and keeps their numbers), and SCIM requests are accepted;
- to Graph pull: SCIM requests are refused with 403 from then on (the Secret Token stays until revoked); Graph
  user synchronization is switched on by the admin on its own tab, after checking its scope.
"""

from __future__ import annotations

from django.db import transaction

from integrations.models import EntraConnection
from integrations.scim.guards import scim_on
from integrations.scim.tokens import scim_provisioning_switch
from organizations.audit import audit_record

GRAPH, SCIM = "graph", "scim"


def provisioning_mode(organization) -> str:
    return SCIM if scim_on(organization) else GRAPH


@transaction.atomic
def provisioning_mode_choose(*, organization, mode: str, actor) -> bool:
    """Returns whether anything changed."""
    if mode == provisioning_mode(organization):
        return False
    if mode == SCIM:
        switched_off = EntraConnection.objects.filter(organization=organization, feature_user_sync=True) \
            .update(feature_user_sync=False)
        if switched_off:
            audit_record(organization=organization, actor=actor, action="entra.user_sync_changed",
                         target="User Synchronization", changes={"enabled": [True, False]})
    return scim_provisioning_switch(organization=organization, enabled=mode == SCIM, actor=actor)
