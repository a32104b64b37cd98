"""The Secret Token Microsoft Entra provisioning presents (Authorization: Bearer <token>): generate (shown once),
rotate, revoke, every step in the audit list. One token is active at a time, as Entra's provisioning configuration
holds one. Tokens are made and checked by the organization API keys' code (organizations.api_keys): 256 random bits,
only the SHA-256 is stored, the lookup is by hash.

Generating a token switches SCIM provisioning on; it is refused while Graph user synchronization is on.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from integrations.scim.guards import GRAPH_SYNC_ON, graph_sync_on
from integrations.scim.models import ScimProvisioning, ScimToken
from organizations.api_keys import bearer_secret_lookup, key_generate, key_hash
from organizations.audit import audit_record

TOKEN_SCHEME = "vcscim"


class Refused(Exception):
    """The change is not allowed now; the message says why and what to do."""


def active_token(organization) -> ScimToken | None:
    return ScimToken.objects.filter(organization=organization, revoked_at__isnull=True).first()


def scim_token_generate(*, organization, actor) -> tuple[ScimToken, str]:
    """A new token (the plaintext is returned once and never stored); an active one is revoked: a rotation."""
    if graph_sync_on(organization):
        raise Refused(GRAPH_SYNC_ON)
    plaintext, prefix = key_generate(TOKEN_SCHEME)
    now = timezone.now()
    with transaction.atomic():
        replaced = list(ScimToken.objects.select_for_update().filter(organization=organization,
                                                                     revoked_at__isnull=True))
        ScimToken.objects.filter(pk__in=[token.pk for token in replaced]).update(revoked_at=now)
        token = ScimToken.objects.create(organization=organization, prefix=prefix, token_hash=key_hash(plaintext),
                                         created_by=actor if getattr(actor, "is_authenticated", False) else None)
        audit_record(organization=organization, actor=actor,
                     action="scim.token_rotated" if replaced else "scim.token_created", target="SCIM Secret Token",
                     changes={"prefix": [replaced[0].prefix if replaced else None, prefix]})
        scim_provisioning_switch(organization=organization, enabled=True, actor=actor)
    return token, plaintext


def scim_token_revoke(*, organization, actor) -> bool:
    """Revoke the active token (idempotent): Entra's requests get 401 until a new one is generated."""
    with transaction.atomic():
        tokens = list(ScimToken.objects.select_for_update().filter(organization=organization,
                                                                   revoked_at__isnull=True))
        if not tokens:
            return False
        ScimToken.objects.filter(pk__in=[token.pk for token in tokens]).update(revoked_at=timezone.now())
        for token in tokens:
            audit_record(organization=organization, actor=actor, action="scim.token_revoked",
                         target="SCIM Secret Token", changes={"prefix": [token.prefix, token.prefix],
                                                              "revoked": [False, True]})
    return True


def scim_provisioning_switch(*, organization, enabled: bool, actor) -> bool:
    """Switch SCIM push on or off (audited). Nothing is deleted either way. Returns whether it changed."""
    settings, _ = ScimProvisioning.objects.select_for_update().get_or_create(organization=organization)
    if settings.enabled == enabled:
        return False
    if enabled and graph_sync_on(organization):
        raise Refused(GRAPH_SYNC_ON)
    settings.enabled = enabled
    settings.save(update_fields=["enabled", "changed_at"])
    audit_record(organization=organization, actor=actor, action="scim.provisioning_changed",
                 target="SCIM provisioning", changes={"enabled": [not enabled, enabled]})
    return True


def scim_token_authenticate(plaintext: str) -> ScimToken | None:
    """The active token matching `plaintext`, or None; marks it used at most once a minute."""
    return bearer_secret_lookup(ScimToken.objects.select_related("organization"), plaintext, scheme=TOKEN_SCHEME,
                                hash_field="token_hash")
