"""Confidential-client authentication at the token endpoint: client secret (post or basic) or a
certificate-signed client assertion (private_key_jwt with x5t or x5t#S256)."""

import base64
import time
from urllib.parse import unquote

import jwt

from emulator.entra_errors import entra_error

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


def client_id_and_secret(req, form: dict) -> tuple[str | None, str | None]:
    auth = req.header("authorization") or ""
    if auth.lower().startswith("basic "):
        try:
            raw = base64.b64decode(auth[6:].strip()).decode()
            cid, _, secret = raw.partition(":")
            return unquote(cid), unquote(secret)
        except (ValueError, UnicodeDecodeError):
            return None, None
    return form.get("client_id"), form.get("client_secret")


def authenticate_client(app, form: dict, secret: str | None, grant: str, token_endpoints: tuple):
    """None on success, else an Entra error response. Returns ("1"|"2") appidacr via a tuple."""
    assertion = form.get("client_assertion")
    if assertion:
        if form.get("client_assertion_type") != ASSERTION_TYPE:
            return entra_error(400, "invalid_request", 50027,
                               "Invalid client_assertion_type. Expected "
                               f"'{ASSERTION_TYPE}'."), None
        return _check_assertion(app, assertion, token_endpoints), "2"
    if not secret:
        return entra_error(401, "invalid_client", 7000216,
                           f"'client_assertion', 'client_secret' or 'request' is required for the '{grant}' "
                           "grant type."), None
    verdict = app.check_secret(secret)
    if verdict == "invalid":
        return entra_error(401, "invalid_client", 7000215,
                           "Invalid client secret provided. Ensure the secret being sent in the request is the "
                           "client secret value, not the client secret ID, for a secret added to app "
                           f"'{app.client_id}'."), None
    if verdict == "expired":
        return entra_error(401, "invalid_client", 7000222,
                           f"The provided client secret keys for app '{app.client_id}' are expired. Visit the Azure "
                           "portal to create new keys for your app: https://aka.ms/NewClientSecret, or consider "
                           "using certificate credentials for added security: https://aka.ms/certCreds."), None
    return None, "1"


def _check_assertion(app, assertion: str, token_endpoints: tuple):
    try:
        header = jwt.get_unverified_header(assertion)
    except jwt.InvalidTokenError:
        return entra_error(401, "invalid_client", 50027, "JWT token is invalid or malformed.")
    cert = app.find_certificate(header.get("x5t"), header.get("x5t#S256"))
    if cert is None:
        return entra_error(401, "invalid_client", 700027,
                           "The certificate with identifier used to sign the client assertion is not registered on "
                           f"application. [Reason - The key was not found., Thumbprint of key used by client: "
                           f"'{header.get('x5t') or header.get('x5t#S256')}', Please visit the Azure Portal, Graph "
                           f"Explorer or directly use MS Graph to see configured keys for app Id '{app.client_id}'.")
    try:
        claims = jwt.decode(assertion, cert["cert"].public_key(), algorithms=["RS256", "PS256"],
                            options={"verify_aud": False, "require": ["exp", "iss", "sub"]}, leeway=300)
    except jwt.ExpiredSignatureError:
        return entra_error(401, "invalid_client", 700024, "Client assertion is not within its valid time range.")
    except jwt.InvalidTokenError:
        return entra_error(401, "invalid_client", 700027, "Client assertion failed signature validation.")
    if claims["iss"] != app.client_id or claims["sub"] != app.client_id:
        return entra_error(401, "invalid_client", 700023,
                           "Client assertion audience claim does not match Realm issuer.")
    aud = claims.get("aud")
    if aud not in token_endpoints:
        return entra_error(401, "invalid_client", 700212,
                           f"No matching federated identity record found for presented assertion audience '{aud}'.")
    if cert["endDateTime"].timestamp() < time.time():
        return entra_error(401, "invalid_client", 700027, "Client assertion contains an expired certificate.")
    return None
