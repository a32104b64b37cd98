"""Injected faults: the next K matching requests (or a fraction of them) fail in a chosen way.

Kinds: "429" (TooManyRequests + Retry-After), "503" (serviceNotAvailable + Retry-After), "delay" (answer
late), "drop" (send headers and half the body, then cut the connection), "delta_expired_400"
(400 syncStateNotFound) and "delta_expired_410" (410 Gone + Location) for delta requests that carry a token.
"""

import random
import re
import threading

KINDS = ("429", "503", "delay", "drop", "delta_expired_400", "delta_expired_410")


class FaultError(ValueError):
    pass


class Faults:
    def __init__(self, seed: int = 0):
        self._lock = threading.Lock()
        self._rules: list[dict] = []
        self._rng = random.Random(seed)
        self._next_id = 1

    def add(self, spec: dict) -> dict:
        kind = str(spec.get("kind", ""))
        if kind not in KINDS:
            raise FaultError(f"kind must be one of {', '.join(KINDS)}")
        try:
            pattern = re.compile(spec.get("path") or ".*")
        except re.error as exc:
            raise FaultError(f"bad path regex: {exc}") from exc
        count, fraction = spec.get("count"), spec.get("fraction")
        if count is None and fraction is None:
            count = 1
        rule = {
            "id": self._next_id, "kind": kind, "path": pattern.pattern, "regex": pattern,
            "method": (spec.get("method") or "").upper() or None,
            "remaining": int(count) if count is not None else None,
            "fraction": float(fraction) if fraction is not None else None,
            "retry_after": spec.get("retry_after", 1 if kind in ("429", "503") else None),
            "delay": float(spec.get("delay", 0.0)), "fired": 0,
        }
        with self._lock:
            self._next_id += 1
            self._rules.append(rule)
        return public(rule)

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()

    def list(self) -> list[dict]:
        with self._lock:
            return [public(r) for r in self._rules]

    def take(self, method: str, path_and_query: str, is_delta_with_token: bool) -> dict | None:
        """The fault to apply to this request, if any (consumes one use of a counted rule)."""
        with self._lock:
            for rule in self._rules:
                if rule["kind"].startswith("delta_expired") and not is_delta_with_token:
                    continue
                if rule["method"] and rule["method"] != method:
                    continue
                if not rule["regex"].search(path_and_query):
                    continue
                if rule["remaining"] is not None:
                    if rule["remaining"] <= 0:
                        continue
                    rule["remaining"] -= 1
                elif self._rng.random() >= rule["fraction"]:
                    continue
                rule["fired"] += 1
                return dict(rule)
        return None


def public(rule: dict) -> dict:
    return {k: v for k, v in rule.items() if k != "regex"}
