"""Turns Graph client errors into what an administrator can act on: a message and a fix.

Branches on Entra's AADSTS code (error_codes[0]) and Graph's error codes, never on description text.
"""

from dataclasses import dataclass

from integrations.graph import (
    AuthenticationFailed,
    AuthorityError,
    GraphClientError,
    GraphConnectionError,
    GraphError,
    GraphThrottled,
    PermissionDenied,
)


@dataclass(frozen=True)
class Explanation:
    check: str  # which Test Connection check this failure belongs to: "authority" or "credentials"
    message: str
    fix: str
    credential_rejected: bool = False


@dataclass(frozen=True)
class _Known:
    """What an AADSTS code means for the admin; {tenant_id}, {client_id} and {code} are filled in."""

    check: str
    message: str
    fix: str
    credential_rejected: bool = True


_TENANT_NOT_FOUND = _Known(
    "authority", "Tenant “{tenant_id}” was not found in Microsoft Entra ID (AADSTS{code}).",
    "Check the Tenant ID: copy the Directory (tenant) ID from the app registration's Overview page, or use a "
    "verified domain of your tenant such as contoso.onmicrosoft.com.")
_CLOCK_WRONG = _Known(
    "credentials", "Microsoft Entra says the sign-in assertion is outside its valid time range (AADSTS{code}): this "
    "server's clock is wrong.", "Synchronize the server's clock (NTP), then test again.", credential_rejected=False)
_NO_CREDENTIAL = _Known(
    "credentials", "Microsoft Entra expected a client secret or certificate and did not get one (AADSTS{code}).",
    "Enter a client secret or a certificate and save.")

KNOWN_AADSTS_CODES: dict[int, _Known] = {
    90002: _TENANT_NOT_FOUND,
    900023: _TENANT_NOT_FOUND,
    700016: _Known(
        "credentials", "No application with Client ID {client_id} exists in tenant {tenant_id} (AADSTS700016).",
        "Copy the Application (client) ID from the app registration's Overview page (not the Object ID), and make "
        "sure the Tenant ID is the tenant where the app is registered."),
    7000215: _Known(
        "credentials", "Microsoft Entra rejected the client secret: the value is wrong (AADSTS7000215).",
        "Enter the secret's Value, not its Secret ID. In Certificates & secrets the Value is shown only right after "
        "the secret is created; if you no longer have it, create a new client secret and enter its Value."),
    7000222: _Known(
        "credentials", "The client secret has expired (AADSTS7000222). Syncs are paused until a valid credential is "
        "saved.", "In the app registration, open Certificates & secrets, create a new client secret (or upload a "
        "certificate), enter it here and save."),
    700027: _Known(
        "credentials", "Microsoft Entra rejected the certificate: the signature is invalid or the certificate is not "
        "registered on the app (AADSTS700027).", "Upload this certificate's public part (.cer/.pem) to the app under "
        "Certificates & secrets, and make sure the private key entered here belongs to that certificate."),
    700024: _CLOCK_WRONG,
    700025: _CLOCK_WRONG,
    7000218: _NO_CREDENTIAL,
    700023: _NO_CREDENTIAL,
}


def explain_authentication_failure(exc: AuthenticationFailed, *, tenant_id: str, client_id: str) -> Explanation:
    code = exc.aadsts_code
    known = KNOWN_AADSTS_CODES.get(code)
    if known is not None:
        values = {"tenant_id": tenant_id, "client_id": client_id, "code": code}
        return Explanation(known.check, known.message.format(**values), known.fix.format(**values),
                           credential_rejected=known.credential_rejected)
    code_text = f" (AADSTS{code})" if code else ""
    return Explanation(
        "credentials",
        f"Microsoft Entra refused to issue a token: {exc.error}{code_text}.{_reference(exc)}",
        "Check the Tenant ID, Client ID and credential; if they are right, give the correlation id to Microsoft "
        "support.",
    )


def explain_connection_failure(exc: GraphConnectionError) -> Explanation:
    host = exc.host or "Microsoft"
    if exc.kind == "tls":
        return Explanation(
            "authority",
            f"The secure (TLS) connection to {host} failed: its certificate is not trusted by this server.",
            "If a proxy inspects TLS traffic, have your operator add its CA (MICROSOFT_CA_BUNDLE); also check the "
            "server's date and time.",
        )
    if exc.kind == "timeout":
        return Explanation(
            "authority",
            f"{host} did not answer in time.",
            "Check that this server can reach login.microsoftonline.com and graph.microsoft.com on port 443 "
            "(firewall, proxy), then test again.",
        )
    return Explanation(
        "authority",
        f"This server cannot reach {host} (network error).",
        "Check DNS, firewall and proxy rules for login.microsoftonline.com and graph.microsoft.com on port 443.",
    )


def explain_graph_failure(exc: GraphClientError, *, what: str) -> tuple[str, str]:
    """Message and fix for a failed Graph read (`what` says which, e.g. "Reading users")."""
    if isinstance(exc, PermissionDenied) and exc.permission:
        return (
            f"{exc.action or what} was refused: the app lacks the application permission {exc.permission}.",
            f"In the app registration add Microsoft Graph > Application permissions > {exc.permission} and click "
            "“Grant admin consent”.",
        )
    if isinstance(exc, PermissionDenied):
        return (
            f"{what} was refused: the app lacks the application permission for it ({exc.code}).",
            "Add the permission under API permissions as an Application permission and click "
            "“Grant admin consent”.",
        )
    if isinstance(exc, GraphThrottled):
        wait = f" for {int(exc.retry_after)} s" if exc.retry_after else ""
        return (f"{what} was throttled by Microsoft Graph{wait}.", "Wait a few minutes and test again.")
    if isinstance(exc, GraphConnectionError):
        explanation = explain_connection_failure(exc)
        return explanation.message, explanation.fix
    if isinstance(exc, GraphError):
        return (
            f"{what} failed: HTTP {exc.status} {exc.code or ''} (request-id {exc.request_id}).".replace("  ", " "),
            "Test again later; if it persists, give the request-id to Microsoft support.",
        )
    if isinstance(exc, AuthorityError):
        return (f"{what} failed: {exc}", "Check the Tenant ID.")
    return (f"{what} failed: {exc}", "Test again later.")


def _reference(exc: AuthenticationFailed) -> str:
    return f" Correlation id: {exc.correlation_id}." if exc.correlation_id else ""
