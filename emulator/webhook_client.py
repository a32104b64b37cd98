"""Graph's outbound HTTP: the validation handshake and notification POSTs to subscribers' endpoints.

TLS: the endpoint's certificate is checked against the notification CA bundle when one is configured, else the
system bundle (REQUESTS_CA_BUNDLE). Proxies from the environment are ignored (the targets are local in tests).
"""

import dataclasses
import json
import os
import threading
import time
from urllib.parse import quote_plus, urlsplit, urlunsplit

import requests

from emulator.subscription_rules import invalid
from emulator.util import new_guid

USER_AGENT = "Microsoft-Graph-Webhooks/1.0 (Entra Graph emulator)"


@dataclasses.dataclass
class PostOutcome:
    status: int | None  # HTTP status, or None when no answer came (timeout, refused, TLS)
    elapsed: float
    error: str | None = None  # "timeout", "connection", "tls"

    @property
    def delivered(self) -> bool:
        return self.status is not None and 200 <= self.status < 300 and self.error is None


def with_query(url: str, name: str, value: str) -> str:
    """The URL with one more query parameter, keeping the subscriber's own parameters (Graph keeps them)."""
    parts = urlsplit(url)
    extra = f"{name}={quote_plus(value)}"
    return urlunsplit(parts._replace(query=f"{parts.query}&{extra}" if parts.query else extra))


def validation_token() -> str:
    """An opaque token shaped like the ones Graph sends (spaces and colons: the receiver must URL-decode it)."""
    return f"Validation: Testing client application reachability for subscription Request-Id: {new_guid()}"


class WebhookClient:
    def __init__(self, settings):
        self.settings = settings
        self._local = threading.local()

    def _session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = requests.Session()
            session.trust_env = False
            session.headers["User-Agent"] = USER_AGENT
        return session

    def _verify(self):
        return self.settings.ca_bundle or os.environ.get("REQUESTS_CA_BUNDLE") or True

    def post(self, url: str, body: bytes, content_type: str, timeout: float) -> tuple[PostOutcome, requests.Response
                                                                                       | None]:
        started = time.monotonic()
        try:
            response = self._session().post(url, data=body, headers={"Content-Type": content_type},
                                            timeout=timeout, verify=self._verify(), allow_redirects=False)
            response.content  # noqa: B018  (read the body inside the timeout)
        except requests.exceptions.SSLError:
            return PostOutcome(None, time.monotonic() - started, "tls"), None
        except requests.exceptions.Timeout:
            return PostOutcome(None, time.monotonic() - started, "timeout"), None
        except requests.exceptions.RequestException:
            return PostOutcome(None, time.monotonic() - started, "connection"), None
        elapsed = time.monotonic() - started
        if elapsed > timeout:
            return PostOutcome(response.status_code, elapsed, "timeout"), response
        return PostOutcome(response.status_code, elapsed), response

    def notify(self, url: str, payload: dict) -> PostOutcome:
        body = json.dumps(payload, separators=(",", ":")).encode()
        outcome, _ = self.post(url, body, "application/json; charset=utf-8", self.settings.delivery_timeout)
        return outcome

    def validate(self, url: str) -> None:
        """The handshake: POST url?validationToken=...; 200 text/plain with the decoded token within the limit.
        Raises the 400 Graph answers to the subscription request when the endpoint fails it."""
        token = validation_token()
        timeout = self.settings.validation_timeout
        outcome, response = self.post(with_query(url, "validationToken", token), b"", "text/plain; charset=utf-8",
                                      timeout)
        if outcome.error == "timeout":
            raise invalid("Subscription validation request timed out.")
        failed = "Subscription validation request failed. "
        if response is None or response.status_code != 200:
            raise invalid(failed + "Notification endpoint must respond with 200 OK to validation request.",
                          "ValidationError")
        content_type = (response.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if content_type != "text/plain":
            raise invalid(failed + "Response must be of Content-Type text/plain.", "ValidationError")
        if response.content.decode("utf-8", "replace") != token:
            raise invalid(failed + "Response must exactly match validationToken query parameter.",
                          "ValidationError")
