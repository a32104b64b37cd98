"""Organizations that require "Sign in with Microsoft" for their administrators.

An administrator of such an organization who signed in with a password may only link a Microsoft account (if not
linked yet) or is sent to Sign in with Microsoft (if linked). Operators (superusers without a membership) and the
sign-in pages themselves are exempt.
"""

from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse

from sso.models import AdminMicrosoftLink, SsoSettings

SESSION_ADMIN_METHOD = "admin_auth_method"
_EXEMPT_PREFIXES = ("/sso/", "/uc/", "/api/uc/", "/static/", "/logout/", "/login/", "/healthz")


class AdminSignInPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        organization = getattr(request, "organization", None)
        if (user is not None and user.is_authenticated and organization is not None
                and request.session.get(SESSION_ADMIN_METHOD) != "microsoft"
                and not request.path.startswith(_EXEMPT_PREFIXES)
                and SsoSettings.objects.filter(organization=organization, require_microsoft_for_admins=True).exists()
                and not (user.is_superuser and not hasattr(user, "membership"))):
            if AdminMicrosoftLink.objects.filter(user=user).exists():
                logout(request)
                return redirect(reverse("sso:admin_microsoft_login") + "?required=1")
            return redirect("sso:admin_link")
        return self.get_response(request)
