"""Shared values for tests that mock Entra and Graph with `responses`: an app registration and payload fixtures."""

import json

from tests.helpers.paths import GRAPH_FIXTURES

FIXTURES = GRAPH_FIXTURES
TENANT = "a3f1c2d4-0000-4e5f-9a8b-7c6d5e4f3a2b"
CLIENT = "6731de76-14a6-49ae-97bc-6eba6914391e"
SECRET = "Qx~8Q~S3cretValue-never-in-logs.0123456789"
INSTANCE_DISCOVERY = "https://login.microsoftonline.com/common/discovery/instance"


def load(name: str) -> dict:
    """A Graph or Entra payload from tests/fixtures/graph/."""
    return json.loads((FIXTURES / name).read_text())
