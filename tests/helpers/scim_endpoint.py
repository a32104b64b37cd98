"""Calling the /scim/v2/ endpoint in tests as Microsoft Entra provisioning does: Bearer Secret Token, SCIM JSON."""

import json

from django.test import Client

from integrations.scim.tokens import scim_token_generate

BASE = "/scim/v2"
CONTENT_TYPE = "application/scim+json"


class ScimClient:
    """client.get("/Users?filter=...") / post / put / patch / delete, with the organization's Secret Token."""

    def __init__(self, organization, token: str | None = None):
        self.organization = organization
        self.token = token or scim_token_generate(organization=organization, actor=None)[1]
        self.http = Client()
        self.http.raise_request_exception = False

    def _headers(self) -> dict:
        return {"HTTP_AUTHORIZATION": f"Bearer {self.token}"}

    def get(self, path: str, params: dict | None = None):
        return self.http.get(BASE + path, params or {}, **self._headers())

    def send(self, method: str, path: str, body=None):
        data = json.dumps(body) if body is not None and not isinstance(body, (str, bytes)) else (body or "")
        return self.http.generic(method, BASE + path, data, content_type=CONTENT_TYPE, **self._headers())

    def post(self, path: str, body):
        return self.send("POST", path, body)

    def put(self, path: str, body):
        return self.send("PUT", path, body)

    def patch(self, path: str, body):
        return self.send("PATCH", path, body)

    def delete(self, path: str):
        return self.send("DELETE", path)


def scim_user(user_name: str, **fields) -> dict:
    """A POST /Users body shaped as Entra sends it (Microsoft's "Create User" request)."""
    body = {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User",
                    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
        "userName": user_name,
        "active": True,
        "emails": [{"primary": True, "type": "work", "value": user_name}],
        "meta": {"resourceType": "User"},
        "name": {"formatted": "Alex Wilber", "familyName": "Wilber", "givenName": "Alex"},
        "roles": [],
    }
    body.update(fields)
    return body
