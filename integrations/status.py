"""How the connection's state reads to an admin: the navigation badge and the warning banners."""

from dataclasses import dataclass

from integrations.models import EntraConnection

EXPIRY_WARNING_DAYS = 30


@dataclass(frozen=True)
class Badge:
    level: str  # ok, warn, error, muted
    short: str  # for the navigation
    text: str  # for the Integrations page


def expires_within(days: int) -> str:
    """'today', 'in 1 day', 'in 12 days': when a credential that has not expired yet expires."""
    return "today" if not days else f"in {days} day{'s' if days != 1 else ''}"


def connection_badge(connection: EntraConnection | None, now=None) -> Badge:
    if connection is None or not connection.pk or not connection.is_configured:
        return Badge("muted", "Not configured", "Not configured")
    if connection.status == EntraConnection.Status.ERROR:
        return Badge("error", "Error", f"Error: {connection.status_detail}")
    days = connection.days_until_expiry(now)
    if connection.credential_expired(now):
        return Badge("error", "Expired", "Error: the credential has expired")
    if connection.status == EntraConnection.Status.UNTESTED:
        return Badge("warn", "Not tested", "Saved, not tested: click Test Connection")
    if days is not None and days <= EXPIRY_WARNING_DAYS:
        what = "Certificate" if connection.credential_type == EntraConnection.CredentialType.CERTIFICATE else "Secret"
        short = "Expires today" if not days else f"Expires in {days}d"
        return Badge("warn", short, f"Connected · {what} expires {expires_within(days)}")
    return Badge("ok", "Connected", "Connected")


def credential_banners(connection: EntraConnection | None, now=None) -> list[dict]:
    if connection is None or not connection.pk or not connection.is_configured:
        return []
    banners = []
    fix = ("Enter a new certificate" if connection.credential_type == EntraConnection.CredentialType.CERTIFICATE
           else "Enter a new client secret")
    field = ("id_certificate_private_key" if connection.credential_type == EntraConnection.CredentialType.CERTIFICATE
             else "id_client_secret")
    if connection.syncs_paused:
        banners.append({"level": "error", "text": f"Microsoft Entra syncs are paused: {connection.status_detail}",
                        "action": fix, "field": field})
    days = connection.days_until_expiry(now)
    if days is not None and not connection.syncs_paused:
        expires = connection.credential_expires_at
        if connection.credential_expired(now):
            banners.append({"level": "error", "text": f"The Microsoft Entra credential expired on {expires:%Y-%m-%d}."
                            " Syncs will fail until a new one is saved.", "action": fix, "field": field})
        elif days <= EXPIRY_WARNING_DAYS:
            banners.append({"level": "warn", "text": f"The Microsoft Entra client credential expires "
                            f"{expires_within(days)}, "
                            f"on {expires:%Y-%m-%d}. Create a new one in Entra and "
                            "enter it in the portal.", "action": fix, "field": field})
    return banners
