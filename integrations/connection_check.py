"""Test Connection: every check an admin needs, each with its own result, message and fix.

Checks, in order: authority reachable and tenant found; credentials accepted (a fresh app token through MSAL);
server clock; each Graph permission granted (from the token's roles); Graph reads (the organization and one
user); credential expiry (from the app registration when permitted, else the date the admin entered).
"""

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta

from django.utils import timezone

from integrations.connection_client import graph_client_for
from integrations.failures import (
    explain_authentication_failure,
    explain_connection_failure,
    explain_graph_failure,
)
from integrations.graph import (
    AuthenticationFailed,
    AuthorityError,
    GraphClientError,
    GraphConnectionError,
    applications,
    decode_jwt_claims,
)
from integrations.graph.organization import read_tenant
from integrations.graph.users import any_user_readable
from integrations.models import EntraConnection, calendar_days_between
from integrations.permissions import BY_NAME, PERMISSIONS, required_permissions
from integrations.redirect_uris import redirect_uris_needed
from integrations.status import EXPIRY_WARNING_DAYS

OK, FAIL, WARN, SKIP = "ok", "fail", "warn", "skip"
AUTHORITY_LABEL = "Microsoft Entra reachable, tenant found"
CLOCK_SKEW_TOLERANCE = timedelta(minutes=5)


@dataclass
class Check:
    key: str
    label: str
    status: str
    message: str
    fix: str = ""


@dataclass
class ConnectionCheckOutcome:
    checks: list[Check] = field(default_factory=list)
    credential_rejected: bool = False
    graph_secret_expires_at: datetime | None = None
    # Directory facts for SSO (None: not read this time, keep what is stored).
    tenant_guid: str | None = None
    verified_domains: list[str] | None = None
    app_redirect_uris: list[str] | None = None
    on_check: Callable[[list[dict]], None] | None = field(default=None, repr=False, compare=False)

    @property
    def ok(self) -> bool:
        return all(check.status != FAIL for check in self.checks)

    @property
    def first_failure(self) -> Check | None:
        return next((check for check in self.checks if check.status == FAIL), None)

    def add(self, key, label, status, message, fix="") -> None:
        self.checks.append(Check(key, label, status, message, fix))
        if self.on_check is not None:
            self.on_check(self.as_json())

    def as_json(self) -> list[dict]:
        return [asdict(check) for check in self.checks]


def connection_check(connection: EntraConnection, *, now: datetime | None = None, on_check=None,
                    deadline: float | None = None) -> ConnectionCheckOutcome:
    """Run every check. `on_check(checks_so_far)` is called after each check; `deadline` (seconds) bounds the
    Retry-After waits of the whole test."""
    now = now or timezone.now()
    outcome = ConnectionCheckOutcome(on_check=on_check)
    client = graph_client_for(connection)
    client.clear_token_cache()  # consent may have changed since the cached token was issued
    if deadline is None:
        return _run_checks(outcome, connection, client, now)
    with client.deadline(deadline):
        return _run_checks(outcome, connection, client, now)


def _run_checks(outcome: ConnectionCheckOutcome, connection: EntraConnection, client, now: datetime):
    try:
        token = client.acquire_app_token()
    except AuthenticationFailed as exc:
        _token_refused(outcome, connection, exc)
        return outcome
    except GraphConnectionError as exc:
        explanation = explain_connection_failure(exc)
        outcome.add("authority", AUTHORITY_LABEL, FAIL, explanation.message, explanation.fix)
        return outcome
    except AuthorityError as exc:
        outcome.add("authority", AUTHORITY_LABEL, FAIL,
                    f"The Entra authority for tenant “{connection.tenant_id}” could not be used ({exc}).",
                    "Check the Tenant ID.")
        return outcome

    outcome.tenant_guid = (token.tenant_id or "").lower() or None
    outcome.add("authority", AUTHORITY_LABEL, OK,
                f"Tenant {token.tenant_id or connection.tenant_id} answered.")
    outcome.add("credentials", "Credentials accepted", OK,
                f"An app token was issued with the {connection.get_credential_type_display().lower()}.")
    _check_clock(outcome, token.access_token, now)
    _check_permissions(outcome, connection, set(token.roles))
    _check_graph_reads(outcome, client)
    _check_expiry(outcome, connection, client, set(token.roles), now)
    _check_redirect_uris(outcome, connection)
    return outcome


def _check_redirect_uris(outcome: ConnectionCheckOutcome, connection: EntraConnection) -> None:
    """Each Redirect URI a switched-on feature needs must be registered in the app (exact match)."""
    needed = redirect_uris_needed(connection)
    if not needed:
        return
    if outcome.app_redirect_uris is None:
        outcome.add("redirect_uris", "Redirect URIs", WARN,
                    "The app registration's Redirect URIs could not be read, so they were not checked.",
                    "Grant Application.Read.All (with admin consent) to let Test Connection check them.")
        return
    registered = set(outcome.app_redirect_uris)
    for feature, uri in needed:
        if uri in registered:
            outcome.add(f"redirect_uri:{uri}", f"Redirect URI for {feature}", OK, f"{uri} is registered.")
        else:
            outcome.add(f"redirect_uri:{uri}", f"Redirect URI for {feature}", FAIL,
                        f"{feature} is switched on, but {uri} is not a Redirect URI of the app: sign-ins fail with "
                        "AADSTS50011.",
                        "In the app registration open Authentication > Web and add this Redirect URI exactly as "
                        "shown (trailing slash included), then run Test Connection again.")


def _token_refused(outcome: ConnectionCheckOutcome, connection: EntraConnection, exc: AuthenticationFailed) -> None:
    explanation = explain_authentication_failure(exc, tenant_id=connection.tenant_id, client_id=connection.client_id)
    outcome.credential_rejected = explanation.credential_rejected
    if explanation.check == "authority":
        outcome.add("authority", AUTHORITY_LABEL, FAIL, explanation.message, explanation.fix)
        return
    outcome.add("authority", AUTHORITY_LABEL, OK,
                f"Tenant {connection.tenant_id} answered.")
    outcome.add("credentials", "Credentials accepted", FAIL, explanation.message, explanation.fix)


def _check_clock(outcome: ConnectionCheckOutcome, access_token: str, now: datetime) -> None:
    issued_at = decode_jwt_claims(access_token).get("iat")
    if not isinstance(issued_at, (int, float)):
        return
    # The token was issued moments ago: compare Entra's clock with ours.
    skew = timedelta(seconds=now.timestamp() - issued_at)
    if abs(skew) > CLOCK_SKEW_TOLERANCE:
        minutes = int(abs(skew).total_seconds() // 60)
        direction = "ahead of" if skew > timedelta(0) else "behind"
        outcome.add("clock", "Server clock", WARN,
                    f"This server's clock is about {minutes} minutes {direction} Microsoft's.",
                    "Synchronize the server's clock (NTP): token validation and certificate sign-in depend on it.")


def _check_permissions(outcome: ConnectionCheckOutcome, connection: EntraConnection, roles: set[str]) -> None:
    required = {p.name for p in required_permissions(connection)}
    if not roles:
        outcome.add("consent", "Admin consent", FAIL,
                    "The app token carries no application permissions: admin consent has not been granted.",
                    "In the app registration open API permissions, add the Microsoft Graph Application permissions "
                    "listed on this page, then click “Grant admin consent for <your tenant>”. Delegated "
                    "permissions do not count.")
    for permission in PERMISSIONS:
        key, label = f"permission:{permission.name}", f"Permission {permission.name}"
        if permission.granted(roles):
            outcome.add(key, label, OK, "Granted.")
        elif permission.name in required:
            outcome.add(key, label, FAIL, f"{permission.name} is not granted, but the features you enabled need it.",
                        f"Add Microsoft Graph > Application permissions > {permission.name}, then click "
                        "“Grant admin consent”.")
        elif permission.optional:
            outcome.add(key, label, WARN, f"{permission.name} is not granted (optional): {permission.enables}",
                        f"Grant {permission.name} to be warned automatically before the secret expires.")
        else:
            outcome.add(key, label, SKIP, "Not granted; not needed by the features you enabled.")


def _check_graph_reads(outcome: ConnectionCheckOutcome, client) -> None:
    try:
        tenant = read_tenant(client)
        outcome.verified_domains = tenant.verified_domains
        outcome.add("graph:organization", "Read the organization", OK,
                    f"Organization: {tenant.display_name or 'unnamed'}.")
    except GraphClientError as exc:
        message, fix = explain_graph_failure(exc, what="Reading the organization")
        outcome.add("graph:organization", "Read the organization", FAIL, message, fix)
    try:
        found = any_user_readable(client)
        outcome.add("graph:users", "Read users",
                    OK, "Users can be read." if found else "Users can be read (the directory is empty).")
    except GraphClientError as exc:
        message, fix = explain_graph_failure(exc, what="Reading users")
        outcome.add("graph:users", "Read users", FAIL, message, fix)


def _check_expiry(outcome: ConnectionCheckOutcome, connection: EntraConnection, client, roles: set[str], now: datetime):
    label = "Credential expiry"
    app, app_error = None, None
    if BY_NAME[applications.READ_PERMISSION].granted(roles):
        try:
            app = applications.read_app_registration(client, connection.client_id)
            outcome.app_redirect_uris = app.redirect_uris
        except GraphClientError as exc:
            app_error = exc
    if connection.credential_type == EntraConnection.CredentialType.CERTIFICATE:
        _expiry_result(outcome, connection.certificate_expires_at, now, "from the certificate")
        return
    if app_error is not None:
        message, _ = explain_graph_failure(app_error, what="Reading the app registration")
        outcome.add("expiry", label, WARN, message, "Enter the secret's expiry date so you are warned in time.")
        return
    if app is not None:
        expires_at = app.secret_expiry(connection.client_secret)
        if expires_at is not None:
            outcome.graph_secret_expires_at = expires_at
            _expiry_result(outcome, expires_at, now, "read from Microsoft Entra")
            return
    if connection.secret_expires_on:
        _expiry_result(outcome, connection.entered_secret_expires_at, now, "as entered")
        return
    outcome.add("expiry", label, WARN, "The secret's expiry date is unknown.",
                "Enter the expiry date shown in Entra when you created the secret, or grant Application.Read.All.")


def _expiry_result(outcome: ConnectionCheckOutcome, expires_at: datetime | None, now: datetime, source: str) -> None:
    label = "Credential expiry"
    if expires_at is None:
        outcome.add("expiry", label, WARN, "The credential's expiry date is unknown.")
        return
    days = calendar_days_between(now, expires_at)
    when = f"{expires_at:%Y-%m-%d} ({source})"
    if expires_at <= now:
        outcome.add("expiry", label, FAIL, f"The credential expired on {when}.",
                    "Create a new client secret or certificate in Entra, enter it here and save.")
    elif days <= EXPIRY_WARNING_DAYS:
        outcome.add("expiry", label, WARN, f"The credential expires in {days} days, on {when}.",
                    "Create a new secret in Entra now, enter it here, then delete the old one.")
    else:
        outcome.add("expiry", label, OK, f"Valid until {when}: {days} days left.")
