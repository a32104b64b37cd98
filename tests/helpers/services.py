"""Where the integration tests find PostgreSQL and Redis.

On CI (REQUIRE_SERVICES=1) a missing service fails the test; on a laptop without them it is skipped
with the reason, so the README's test command still runs everything else.
"""

import os

import pytest
import redis

DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"


def services_required() -> bool:
    return os.environ.get("REQUIRE_SERVICES", "").lower() in ("1", "true", "yes") or os.environ.get("CI") == "true"


def redis_url_or_skip() -> str:
    url = os.environ.get("REDIS_URL") or DEFAULT_REDIS_URL
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        if services_required():
            pytest.fail(f"Redis at {url} is required here but unreachable: {exc}")
        pytest.skip(f"Redis at {url} is unreachable: {exc}")
    return url
