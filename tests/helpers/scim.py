"""Shared by the SCIM tests: Microsoft's documented payloads (tests/fixtures/scim/) and a PatchOp builder."""

import json

from integrations.scim.protocol import urns
from tests.helpers.paths import SCIM_FIXTURES

FIXTURES = SCIM_FIXTURES


def fixture(name: str):
    return json.loads((FIXTURES / name).read_text())


def patch_op(*operations: dict) -> dict:
    return {"schemas": [urns.PATCH_OP], "Operations": list(operations)}
