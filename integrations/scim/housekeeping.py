"""Daily: the grace period of User Synchronization's settings, for organizations provisioned by SCIM push (their
Graph user sync, which applies it otherwise, is off)."""

from django.db import transaction

from integrations.scim.log import RequestLog
from integrations.scim.models import ScimProvisioning
from integrations.scim.provisioning import grace_period_applied


def scim_grace_period_apply() -> dict:
    deleted = {}
    for provisioning in ScimProvisioning.objects.filter(enabled=True).select_related("organization"):
        with transaction.atomic():
            log = RequestLog(provisioning.organization)
            count = grace_period_applied(log)
            log.flush()
        if count:
            deleted[provisioning.organization.slug] = count
    return deleted
