"""The app registration: client id, secrets, certificates, redirect URIs, granted permissions."""

import base64
import datetime as dt
import hashlib
import secrets as pysecrets

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from emulator.util import iso, new_guid, utcnow

DEFAULT_PERMISSIONS = (
    "User.Read.All", "GroupMember.Read.All", "Contacts.Read", "Presence.Read.All",
    "Presence.ReadWrite.All", "Application.Read.All",
)
DEFAULT_REDIRECT_URIS = (
    "http://localhost:8000/sso/microsoft/callback/",
    "http://localhost:8000/sso/uc/microsoft/callback/",
)


def make_secret_value(rng=None) -> str:
    """Entra-like secret value: 40 chars, with a '~' after the 3-char hint like real secrets."""
    alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-."
    pick = rng.choice if rng is not None else pysecrets.choice
    body = "".join(pick(alphabet) for _ in range(37))
    return body[:3] + "8Q~" + body[3:]


class AppRegistration:
    def __init__(self, *, client_id: str, object_id: str, sp_object_id: str, display_name: str,
                 secret: str, secret_id: str, permissions, redirect_uris, secret_expires: dt.datetime):
        self.client_id = client_id
        self.object_id = object_id
        self.sp_object_id = sp_object_id
        self.display_name = display_name
        self.permissions: list[str] = list(permissions)
        self.redirect_uris: list[str] = list(redirect_uris)
        self.secrets: list[dict] = []
        self.certificates: list[dict] = []
        self.created = utcnow()
        self.add_secret(secret, key_id=secret_id, end=secret_expires, start=utcnow() - dt.timedelta(days=1))

    # --- secrets -------------------------------------------------------------------------------
    def add_secret(self, value: str, *, key_id: str | None = None, end: dt.datetime | None = None,
                   start: dt.datetime | None = None, display_name: str = "emulator secret") -> dict:
        entry = {
            "keyId": key_id or new_guid(), "secretText": value, "hint": value[:3],
            "displayName": display_name, "startDateTime": start or utcnow(),
            "endDateTime": end or utcnow() + dt.timedelta(days=365),
        }
        self.secrets.append(entry)
        return entry

    def check_secret(self, value: str) -> str:
        """'ok', 'expired' or 'invalid'."""
        now = utcnow()
        matches = [s for s in self.secrets if pysecrets.compare_digest(s["secretText"], value)]
        if not matches:
            return "invalid"
        return "ok" if any(s["endDateTime"] > now for s in matches) else "expired"

    def expire_secrets(self, key_id: str | None = None) -> None:
        past = utcnow() - dt.timedelta(minutes=1)
        for entry in self.secrets:
            if key_id is None or entry["keyId"] == key_id:
                entry["endDateTime"] = past

    def set_secret_expiry(self, end: dt.datetime, key_id: str | None = None) -> None:
        for entry in self.secrets:
            if key_id is None or entry["keyId"] == key_id:
                entry["endDateTime"] = end

    # --- certificates --------------------------------------------------------------------------
    def add_certificate(self, pem: str, display_name: str | None = None) -> dict:
        cert = x509.load_pem_x509_certificate(pem.encode() if isinstance(pem, str) else pem)
        der = cert.public_bytes(serialization.Encoding.DER)
        entry = {
            "keyId": new_guid(), "cert": cert,
            "sha1": hashlib.sha1(der).digest(), "sha256": hashlib.sha256(der).digest(),
            "displayName": display_name or cert.subject.rfc4514_string(),
            "startDateTime": cert.not_valid_before_utc, "endDateTime": cert.not_valid_after_utc,
        }
        self.certificates.append(entry)
        return entry

    def find_certificate(self, x5t: str | None, x5t_s256: str | None) -> dict | None:
        for entry in self.certificates:
            if x5t_s256 and _b64(entry["sha256"]) == x5t_s256.rstrip("="):
                return entry
            if x5t and _b64(entry["sha1"]) == x5t.rstrip("="):
                return entry
        return None

    # --- Graph shapes ----------------------------------------------------------------------------
    def password_credentials(self) -> list[dict]:
        return [{
            "customKeyIdentifier": None, "displayName": s["displayName"], "endDateTime": iso(s["endDateTime"]),
            "hint": s["hint"], "keyId": s["keyId"], "secretText": None, "startDateTime": iso(s["startDateTime"]),
        } for s in self.secrets]

    def key_credentials(self) -> list[dict]:
        return [{
            "customKeyIdentifier": entry["sha1"].hex().upper(), "displayName": entry["displayName"],
            "endDateTime": iso(entry["endDateTime"]), "key": None, "keyId": entry["keyId"],
            "startDateTime": iso(entry["startDateTime"]), "type": "AsymmetricX509Cert", "usage": "Verify",
        } for entry in self.certificates]

    def graph_application(self) -> dict:
        return {
            "id": self.object_id, "deletedDateTime": None, "appId": self.client_id, "applicationTemplateId": None,
            "createdDateTime": iso(self.created), "displayName": self.display_name, "description": None,
            "identifierUris": [], "isFallbackPublicClient": None, "isDeviceOnlyAuthSupported": None,
            "groupMembershipClaims": None, "optionalClaims": None, "addIns": [], "publisherDomain": None,
            "samlMetadataUrl": None, "signInAudience": "AzureADMyOrg", "tags": [], "tokenEncryptionKeyId": None,
            "api": {"requestedAccessTokenVersion": None, "acceptMappedClaims": None, "knownClientApplications": [],
                    "oauth2PermissionScopes": [], "preAuthorizedApplications": []},
            "appRoles": [], "publicClient": {"redirectUris": []}, "spa": {"redirectUris": []},
            "info": {"termsOfServiceUrl": None, "supportUrl": None, "privacyStatementUrl": None,
                     "marketingUrl": None, "logoUrl": None},
            "parentalControlSettings": {"countriesBlockedForMinors": [], "legalAgeGroupRule": "Allow"},
            "web": {"redirectUris": list(self.redirect_uris), "homePageUrl": None, "logoutUrl": None,
                    "implicitGrantSettings": {"enableAccessTokenIssuance": False, "enableIdTokenIssuance": False}},
            "requiredResourceAccess": [{
                "resourceAppId": "00000003-0000-0000-c000-000000000000",
                "resourceAccess": [{"id": _role_guid(p), "type": "Role"} for p in self.permissions],
            }],
            "passwordCredentials": self.password_credentials(),
            "keyCredentials": self.key_credentials(),
        }


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _role_guid(name: str) -> str:
    digest = hashlib.md5(name.encode()).hexdigest()  # stable stand-in for Graph's app-role ids
    return f"{digest[:8]}-{digest[8:12]}-{digest[12:16]}-{digest[16:20]}-{digest[20:32]}"
