"""Pages with tenant data are never stored by the browser or a shared cache; sign-in forms post to Microsoft."""

# The UC Client (its pages, its sign-in and callback under /sso/uc/) and every API answer: personal contacts,
# tokens, call data. Whoever is signed in, and whatever the answer (errors included).
PRIVATE_PREFIXES = ("/uc/", "/api/", "/sso/")


class PrivateCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if request.path.startswith(PRIVATE_PREFIXES) or (user is not None and user.is_authenticated):
            response["Cache-Control"] = "private, no-store"
        return response


class SignInFormActionMiddleware:
    """CSP `form-action` is 'self'; sign-in forms post to the portal, which redirects to the Microsoft authority, and
    browsers apply form-action to that redirect too. Allow the configured authority host (Microsoft, or the
    emulator), read per response so a changed setting applies at once."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings

        response = self.get_response(request)
        update = dict(getattr(response, "_csp_update", None) or {})
        update["form-action"] = [*update.get("form-action", []), settings.MICROSOFT_AUTHORITY_HOST]
        response._csp_update = update
        return response
