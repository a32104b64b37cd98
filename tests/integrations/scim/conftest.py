import pytest


@pytest.fixture(autouse=True)
def _fresh_cache(fresh_cache):
    """SCIM numbering remembers where its next search starts (extensions.number_probe) in the cache, keyed by the
    organization's id; on SQLite a rolled-back test's ids come back, so each test starts with an empty cache."""
    return fresh_cache
