"""Fixed-window counters in Django's cache (Redis in production, shared by every web process).

    if ratelimit.hit("uc-token-ip", client_ip(request), limit=120, window=60): refuse with 429
"""

import hashlib

from django.core.cache import cache


def _key(scope: str, value: str) -> str:
    return "sso-rl:" + scope + ":" + hashlib.sha256(value.lower().encode("utf-8")).hexdigest()[:32]


def hit(scope: str, value: str, *, limit: int, window: int) -> bool:
    """Count one attempt; True when this attempt is over the limit for the window."""
    key = _key(scope, value)
    if cache.add(key, 1, timeout=window):
        return limit < 1
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=window)
        count = 1
    return count > limit
