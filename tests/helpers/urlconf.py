"""Every URL pattern of the portal as a concrete path, for tests that must hold on every URL (policies, fuzzing).

    for route in url_routes(pk=extension.pk):
        client.get(route.path)          # route.view_name as the middleware sees it (resolver_match.view_name)

Path converters get dummy values (`int` the given pk, other converters "1"); a regular-expression alternative
such as the operator console's `(?P<app_label>auth|organizations|...)` takes its first branch.
"""

import re
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.resolvers import RegexPattern

_INT = re.compile(r"<int:\w+>")
_OTHER_CONVERTER = re.compile(r"<(?:\w+:)?\w+>")
_NAMED_GROUP = re.compile(r"\(\?P<\w+>([^)]*)\)")


@dataclass(frozen=True)
class Route:
    path: str  # starts with "/"
    view_name: str
    callback: object


def _concrete(pattern, pk: int) -> str:
    text = str(pattern)
    if isinstance(pattern, RegexPattern):  # a named group's first alternative (".*" becomes "1")
        text = _NAMED_GROUP.sub(lambda m: m.group(1).split("|")[0].replace(".*", "1") or "1", text)
        text = text.lstrip("^").rstrip("$").replace("\\", "")
    text = _INT.sub(str(pk), text)
    return _OTHER_CONVERTER.sub("1", text)


def _walk(patterns, prefix: str, pk: int):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, prefix + _concrete(entry.pattern, pk), pk)
        elif isinstance(entry, URLPattern):
            yield prefix + _concrete(entry.pattern, pk), entry


def url_routes(pk: int = 1) -> list[Route]:
    """One Route per URL pattern in the URLconf (duplicates of the same path dropped)."""
    routes, seen = [], set()
    for path, pattern in _walk(get_resolver().url_patterns, "/", pk):
        if path in seen:
            continue
        seen.add(path)
        routes.append(Route(path=path, view_name=resolve(path).view_name, callback=pattern.callback))
    return routes
