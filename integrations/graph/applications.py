"""The app registration (/applications(appId=...)): secret and certificate expiry, and the Redirect URIs of its
web platform. Needs Application.Read.All (optional: Test Connection falls back to what the admin entered)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from .client import GraphClient
from .parsing import parse_graph_datetime

READ_PERMISSION = "Application.Read.All"


@dataclass(frozen=True)
class SecretCredential:
    hint: str  # the secret's first three characters
    expires_at: datetime | None


@dataclass(frozen=True)
class AppRegistration:
    display_name: str
    secrets: list[SecretCredential]
    redirect_uris: list[str]  # web.redirectUris

    def secret_expiry(self, secret: str) -> datetime | None:
        """When the stored secret expires: the credential whose hint starts it (else the earliest of all)."""
        matching = [c for c in self.secrets if c.hint and secret.startswith(c.hint)] or self.secrets
        dates = [c.expires_at for c in matching if c.expires_at is not None]
        return min(dates) if dates else None


def _date_or_none(value) -> datetime | None:
    try:
        return parse_graph_datetime(value)
    except ValueError:
        return None


def app_registration_from(body: dict) -> AppRegistration:
    web = body.get("web") if isinstance(body.get("web"), dict) else {}
    uris = web.get("redirectUris") or []
    secrets = [SecretCredential(str(c.get("hint") or ""), _date_or_none(c.get("endDateTime")))
               for c in body.get("passwordCredentials") or [] if isinstance(c, dict)]
    return AppRegistration(str(body.get("displayName") or ""), secrets, [u for u in uris if isinstance(u, str)])


def read_app_registration(client: GraphClient, client_id: str) -> AppRegistration:
    body = client.get(f"/applications(appId='{client_id}')",
                      params={"$select": "displayName,passwordCredentials,keyCredentials,web"})
    return app_registration_from(body)
