"""Where things are, for tests in any folder."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]  # the repository
FIXTURES = ROOT / "tests" / "fixtures"
GRAPH_FIXTURES = FIXTURES / "graph"  # Microsoft's documented Graph payloads, and the client's test payloads
SCIM_FIXTURES = FIXTURES / "scim"  # Microsoft's documented SCIM requests
