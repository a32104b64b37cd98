"""Microsoft Graph client: the only code in the product that speaks HTTP to Microsoft (Entra ID and Graph).

No Django here: configuration comes in as plain values (AppCredentials, GraphEndpoints).

    client = get_client(AppCredentials(tenant_id, client_id, client_secret=...), GraphEndpoints())
    token = client.acquire_app_token()            # AppToken(roles=...) for Test Connection
    for user in client.iter_items("/users", params={"$select": "id,displayName", "$top": 999}): ...
"""

from .auth import AppToken, decode_jwt_claims
from .client import DeltaPage, GraphClient
from .config import AppCredentials, GraphEndpoints
from .errors import (
    AuthenticationFailed,
    AuthorityError,
    DeltaTokenExpired,
    ForeignHostRefused,
    GraphClientError,
    GraphConnectionError,
    GraphError,
    GraphThrottled,
    GraphUnavailable,
    NotFound,
    PagingLoopDetected,
    PermissionDenied,
    UnexpectedResponse,
)
from .registry import clear_clients, forget_client, get_client
from .signin import IdTokenClaims, SignInClient, SignInError, signin_client_for

__all__ = [
    "AppCredentials",
    "AppToken",
    "AuthenticationFailed",
    "AuthorityError",
    "DeltaPage",
    "DeltaTokenExpired",
    "ForeignHostRefused",
    "GraphClient",
    "GraphClientError",
    "GraphConnectionError",
    "GraphEndpoints",
    "GraphError",
    "GraphThrottled",
    "GraphUnavailable",
    "IdTokenClaims",
    "NotFound",
    "PagingLoopDetected",
    "PermissionDenied",
    "SignInClient",
    "SignInError",
    "UnexpectedResponse",
    "clear_clients",
    "decode_jwt_claims",
    "forget_client",
    "get_client",
    "signin_client_for",
]
