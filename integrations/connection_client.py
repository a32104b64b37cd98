"""Builds the Graph client of an organization's Entra connection from Django settings and the stored credential."""

import json

from django.conf import settings

from integrations.graph import AppCredentials, GraphClient, GraphEndpoints, get_client
from integrations.models import EntraConnection
from pbx_portal.encryption import decrypt, encrypt


def graph_endpoints() -> GraphEndpoints:
    return GraphEndpoints(
        authority_host=settings.MICROSOFT_AUTHORITY_HOST,
        graph_url=settings.MICROSOFT_GRAPH_URL,
        ca_bundle=settings.MICROSOFT_CA_BUNDLE or None,
        timeout=settings.MICROSOFT_HTTP_TIMEOUT,
    )


def app_credentials(connection: EntraConnection) -> AppCredentials:
    if connection.credential_type == EntraConnection.CredentialType.CERTIFICATE:
        return AppCredentials(
            tenant_id=connection.tenant_id,
            client_id=connection.client_id,
            certificate_private_key=connection.certificate_private_key,
            certificate_thumbprint=connection.certificate_thumbprint,
            certificate_pem=connection.certificate_pem or None,
        )
    return AppCredentials(
        tenant_id=connection.tenant_id, client_id=connection.client_id, client_secret=connection.client_secret
    )


def graph_client_for(connection: EntraConnection) -> GraphClient:
    """The process-wide client of this connection (token cache reused; replaced when the credential changes).

    Every caller in a process (Test Connection, syncs) shares it, so clearing its token cache after new
    consent is seen by all of them.
    """
    return get_client(app_credentials(connection), graph_endpoints())


# A retired credential travels to the worker that undoes the old app's work sealed (encrypted with the field key, as
# at rest) and only for a while: a message left in the queue longer cannot bring it back.
SEALED_FOR_SECONDS = 7 * 24 * 3600
SEALED_FIELDS = ("tenant_id", "client_id", "credential_type", "client_secret", "certificate_private_key",
                 "certificate_thumbprint", "certificate_pem")


def sealed_credentials(connection: EntraConnection) -> str:
    return encrypt(json.dumps({name: getattr(connection, name) for name in SEALED_FIELDS}))


def graph_client_for_sealed(sealed: str) -> GraphClient:
    """A client of its own (not the process-wide one, which belongs to the connection as it is now)."""
    fields = json.loads(decrypt(sealed, ttl=SEALED_FOR_SECONDS))
    return GraphClient(app_credentials(EntraConnection(**{name: fields.get(name, "") for name in SEALED_FIELDS})),
                       graph_endpoints())
