"""Small request helpers shared by views."""


def wants_json(request) -> bool:
    """The page's script asked for JSON (fetch with Accept: application/json); otherwise answer with HTML."""
    return "application/json" in request.headers.get("Accept", "")
