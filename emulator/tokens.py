"""The signing key (RSA, RS256), its JWKS, and issuing/validating JWTs."""

import datetime as dt
import hashlib
import threading
import time

import jwt
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from emulator.util import b64url, new_guid

GRAPH_RESOURCE = "https://graph.microsoft.com"
GRAPH_APP_ID = "00000003-0000-0000-c000-000000000000"


class Signer:
    def __init__(self):
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.public_key = self.key.public_key()
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "accounts.emulator.example")])
        now = dt.datetime.now(dt.UTC)
        self.cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
                     .public_key(self.public_key).serial_number(x509.random_serial_number())
                     .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=3650))
                     .sign(self.key, hashes.SHA256()))
        der = self.cert.public_bytes(serialization.Encoding.DER)
        self.x5t = b64url(hashlib.sha1(der).digest())
        self.kid = self.x5t  # Entra uses the same value for kid and x5t
        self.x5c = __import__("base64").b64encode(der).decode()
        self._cache: dict[str, tuple[float, dict]] = {}
        self._cache_lock = threading.Lock()

    def jwks(self, issuer: str) -> dict:
        numbers = self.public_key.public_numbers()
        n = b64url(numbers.n.to_bytes((numbers.n.bit_length() + 7) // 8, "big"))
        e = b64url(numbers.e.to_bytes(3, "big"))
        return {"keys": [{"kty": "RSA", "use": "sig", "kid": self.kid, "x5t": self.x5t, "n": n, "e": e,
                          "x5c": [self.x5c], "cloud_instance_name": "microsoftonline.com", "issuer": issuer}]}

    def sign(self, claims: dict) -> str:
        return jwt.encode(claims, self.key, algorithm="RS256",
                          headers={"typ": "JWT", "kid": self.kid, "x5t": self.x5t})

    def verify_access_token(self, token: str) -> dict:
        """Signature and lifetime check for Graph calls; raises jwt.InvalidTokenError. Cached per token."""
        now = time.time()
        with self._cache_lock:
            hit = self._cache.get(token)
        if hit and hit[0] > now:
            return hit[1]
        claims = jwt.decode(token, self.public_key, algorithms=["RS256"],
                            options={"verify_aud": False, "require": ["exp", "iat", "tid"]}, leeway=0)
        with self._cache_lock:
            if len(self._cache) > 10000:
                self._cache.clear()
            self._cache[token] = (claims["exp"], claims)
        return claims


def app_token_claims(*, tenant_id: str, app, audience: str, lifetime: int, appidacr: str) -> dict:
    """A v1.0 Graph access token for the client credentials flow, shaped like Entra's."""
    now = int(time.time())
    claims = {
        "aud": audience, "iss": f"https://sts.windows.net/{tenant_id}/", "iat": now, "nbf": now,
        "exp": now + lifetime, "aio": b64url(new_guid().encode())[:40], "app_displayname": app.display_name,
        "appid": app.client_id, "appidacr": appidacr, "idp": f"https://sts.windows.net/{tenant_id}/",
        "idtyp": "app", "oid": app.sp_object_id, "rh": "0.AAAA" + b64url(tenant_id.encode())[:20] + ".",
        "sub": app.sp_object_id, "tenant_region_scope": "NA", "tid": tenant_id,
        "uti": b64url(new_guid().encode())[:22], "ver": "1.0", "wids": ["0997a1d0-0d1d-4acb-b408-d5ca73121e90"],
        "xms_tcdt": now - 400 * 86400,
    }
    if app.permissions:
        claims["roles"] = sorted(app.permissions)
    return claims


def user_token_claims(*, tenant_id: str, app, user: dict, scopes: list[str], lifetime: int) -> dict:
    """A v1.0 Graph delegated access token (scp) for the auth-code flow."""
    now = int(time.time())
    return {
        "aud": GRAPH_RESOURCE, "iss": f"https://sts.windows.net/{tenant_id}/", "iat": now, "nbf": now,
        "exp": now + lifetime, "acct": 0, "acr": "1", "amr": ["pwd"], "app_displayname": app.display_name,
        "appid": app.client_id, "appidacr": "1", "family_name": user.get("surname"),
        "given_name": user.get("givenName"), "idtyp": "user", "name": user.get("displayName"),
        "oid": user["id"], "scp": " ".join(scopes), "sub": b64url(hashlib.sha256(user["id"].encode()).digest())[:43],
        "tid": tenant_id, "unique_name": user["userPrincipalName"], "upn": user["userPrincipalName"],
        "uti": b64url(new_guid().encode())[:22], "ver": "1.0",
    }


def id_token_claims(*, issuer: str, tenant_id: str, client_id: str, user: dict, nonce: str | None,
                    lifetime: int = 3600) -> dict:
    now = int(time.time())
    claims = {
        "aud": client_id, "iss": issuer, "iat": now, "nbf": now, "exp": now + lifetime,
        "name": user.get("displayName"), "oid": user["id"], "preferred_username": user["userPrincipalName"],
        "rh": "0.AAAA" + b64url(tenant_id.encode())[:20] + ".",
        "sub": b64url(hashlib.sha256(f"{user['id']}:{client_id}".encode()).digest())[:43],
        "tid": tenant_id, "uti": b64url(new_guid().encode())[:22], "ver": "2.0",
    }
    if user.get("mail"):
        claims["email"] = user["mail"]
    if nonce:
        claims["nonce"] = nonce
    return claims
