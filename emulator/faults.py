"""Injected faults: the next K matching requests (or a fraction of them) fail in a chosen way.

Kinds: "429" (TooManyRequests, Microsoft's sample body), "503" (serviceNotAvailable), both with a Retry-After
that may be integer or decimal seconds, an HTTP date, or absent ("retry_after": null); "delay" (answer late),
"drop" (the request is handled, then the connection is cut: after half the body, or before any answer when
the body is empty, as for setPresence), "reset" (the connection is closed, a TCP reset, before any answer and
before the request is handled: nothing was done), "delta_expired_400" (400 syncStateNotFound)
and "delta_expired_410" (410 Gone + Location) for delta requests that carry a token; "next_link_loop" (the
first matching page's @odata.nextLink is remembered and the next `count` matching pages answer it again, so a
client that follows links blindly loops).
"""

import json
import random
import re
import threading

from emulator.throttling import check_retry_after

KINDS = ("429", "503", "delay", "drop", "reset", "delta_expired_400", "delta_expired_410", "next_link_loop")
CONNECTION_KINDS = ("drop", "reset")  # cut a whole HTTP exchange: not applied to $batch sub-requests


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
        if kind == "next_link_loop" and count is None:
            raise FaultError("next_link_loop takes a count (how many pages repeat the remembered nextLink)")
        retry_after = spec.get("retry_after", 1) if kind in ("429", "503") else None
        try:
            retry_after = check_retry_after(retry_after)
        except ValueError as exc:
            raise FaultError(str(exc)) from exc
        rule = {
            "id": self._next_id, "kind": kind, "path": pattern.pattern, "regex": pattern,
            "method": (spec.get("method") or "").upper() or None,
            "remaining": int(count) if count is not None else None,
            "fraction": float(fraction) if fraction is not None else None,
            "retry_after": retry_after, "delay": float(spec.get("delay", 0.0)), "fired": 0, "link": None,
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
                if rule["kind"] == "next_link_loop":
                    continue
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


    def repeat_next_link(self, method: str, path_and_query: str, response) -> None:
        """Apply a next_link_loop rule to a successful page carrying @odata.nextLink (rewrites the body)."""
        if response.status != 200 or not self._rules or b'"@odata.nextLink"' not in response.body:
            return
        with self._lock:
            for rule in self._rules:
                if rule["kind"] != "next_link_loop" or (rule["method"] and rule["method"] != method):
                    continue
                if not rule["regex"].search(path_and_query):
                    continue
                body = json.loads(response.body)
                if rule["link"] is None:
                    rule["link"] = body["@odata.nextLink"]
                    return
                if rule["remaining"] <= 0:
                    return
                rule["remaining"] -= 1
                rule["fired"] += 1
                body["@odata.nextLink"] = rule["link"]
                response.body = json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()
                return


def public(rule: dict) -> dict:
    return {k: v for k, v in rule.items() if k != "regex"}
