"""Rejected removals are remembered: the same removal is not planned again unless the user changes in Entra.

A removal's signature says what the user looked like when it was planned (their fields for a user read, or why
they are gone); an admin's Reject stores it. A later plan with the same signature is left out; a different one (the
user changed again) is planned, and a user seen in scope again forgets the rejection.
"""

from __future__ import annotations

import hashlib
import json

from django.utils import timezone

from integrations.sync.models import SyncRun
from integrations.sync.users.mapping import DirectoryUser
from integrations.sync.users.models import RejectedRemoval

HELD_SIGNATURES = "held_signatures"  # run.options key: object id -> signature of each held removal


def user_signature(user: DirectoryUser) -> str:
    state = [user.fields, user.enabled, user.guest]
    return hashlib.sha256(json.dumps(state, sort_keys=True).encode()).hexdigest()[:32]


def rejected_signatures(organization) -> dict[str, str]:
    return dict(RejectedRemoval.objects.filter(organization=organization)
                .values_list("entra_object_id", "signature"))


def rejections_forget(organization, object_ids: list[str]) -> None:
    if object_ids:
        RejectedRemoval.objects.filter(organization=organization, entra_object_id__in=object_ids).delete()


def held_signatures_store(run: SyncRun, signatures: dict[str, str]) -> None:
    run.options = {**(run.options or {}), HELD_SIGNATURES: signatures}
    SyncRun.objects.filter(pk=run.pk).update(options=run.options)


def rejection_remember(run: SyncRun) -> None:
    """Registered as the user sync's on_reject: store the signatures of the removals the run held."""
    signatures = (run.options or {}).get(HELD_SIGNATURES) or {}
    now = timezone.now()
    RejectedRemoval.objects.bulk_create(
        [RejectedRemoval(organization_id=run.organization_id, entra_object_id=oid, signature=signature, run=run,
                         rejected_at=now) for oid, signature in signatures.items()],
        batch_size=1000, update_conflicts=True, unique_fields=["organization", "entra_object_id"],
        update_fields=["signature", "run", "rejected_at"])
