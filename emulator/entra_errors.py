"""Entra ID (login.microsoftonline.com) error bodies with AADSTS codes."""

from emulator.util import entra_timestamp, new_guid
from emulator.web import json_response

NO_CACHE = [("Cache-Control", "no-store, no-cache"), ("Pragma", "no-cache")]


def entra_error(status: int, error: str, code: int, description: str, headers=None):
    trace_id, correlation_id, ts = new_guid(), new_guid(), entra_timestamp()
    body = {
        "error": error,
        "error_description": f"AADSTS{code}: {description}\r\nTrace ID: {trace_id}\r\n"
                             f"Correlation ID: {correlation_id}\r\nTimestamp: {ts}",
        "error_codes": [code], "timestamp": ts, "trace_id": trace_id, "correlation_id": correlation_id,
        "error_uri": f"https://login.microsoftonline.com/error?code={code}",
    }
    return json_response(status, body, [*NO_CACHE, ("x-ms-request-id", trace_id), *(headers or [])])


def tenant_not_found(tenant: str, error: str = "invalid_request"):
    return entra_error(400, error, 90002,
                       f"Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are "
                       "signing into the correct cloud. Check with your subscription administrator, this may happen "
                       "if there are no active subscriptions for the tenant.")


def client_not_found(client_id: str, tenant_name: str):
    return entra_error(400, "unauthorized_client", 700016,
                       f"Application with identifier '{client_id}' was not found in the directory '{tenant_name}'. "
                       "This can happen if the application has not been installed by the administrator of the "
                       "tenant or consented to by any user in the tenant. You may have sent your authentication "
                       "request to the wrong tenant.")


def missing_parameter(name: str):
    return entra_error(400, "invalid_request", 900144,
                       f"The request body must contain the following parameter: '{name}'.")
