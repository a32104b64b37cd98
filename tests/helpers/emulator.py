"""Helpers for the emulator's own tests."""

import requests


class TrustingSession(requests.Session):
    """REQUESTS_CA_BUNDLE overrides Session.verify, so pass verify= on every request."""

    def __init__(self, ca_path: str):
        super().__init__()
        self.ca_path = ca_path

    def request(self, *args, **kwargs):
        kwargs["verify"] = self.ca_path
        return super().request(*args, **kwargs)


def all_pages(emulator, first_url: str, token: str, headers=None) -> tuple[list[dict], int, dict]:
    """Follow @odata.nextLink; returns (items, pages, last body)."""
    items, pages, url = [], 0, first_url
    while url:
        resp = emulator.graph("GET", url, token=token, headers=headers or {})
        assert resp.status_code == 200, resp.text
        body = resp.json()
        items.extend(body["value"])
        pages += 1
        url = body.get("@odata.nextLink")
    return items, pages, body
