"""Organizations that require "Sign in with Microsoft" for their administrators.

At a password sign-in (django's user_logged_in signal) an administrator of such an organization is flagged in the
session: "relogin" if a Microsoft account is linked (they are signed out and sent to Sign in with Microsoft), or
"link" if not (they may only link one). The check runs once per sign-in, so ordinary requests cost no query.
Operators (superusers without a membership) are exempt; so are the sign-in pages themselves.
"""

from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.shortcuts import redirect
from django.urls import reverse

SESSION_ADMIN_METHOD = "admin_auth_method"
SESSION_POLICY = "sso_admin_policy"
MICROSOFT_LOGIN_MARK = "_sso_microsoft_login"
_EXEMPT_PREFIXES = ("/sso/", "/uc/", "/api/uc/", "/static/", "/logout/", "/login/", "/healthz")


@receiver(user_logged_in, dispatch_uid="sso_admin_sign_in_policy")
def admin_sign_in_policy(sender, request, user, **kwargs):
    if request is None or not hasattr(request, "session") or getattr(request, MICROSOFT_LOGIN_MARK, False):
        return
    from organizations.models import Membership
    from sso.models import AdminMicrosoftLink, SsoSettings

    request.session[SESSION_ADMIN_METHOD] = "password"
    membership = Membership.objects.filter(user=user).first()
    if membership is None or not SsoSettings.objects.filter(organization_id=membership.organization_id,
                                                            require_microsoft_for_admins=True).exists():
        request.session.pop(SESSION_POLICY, None)
        return
    linked = AdminMicrosoftLink.objects.filter(user=user).exists()
    request.session[SESSION_POLICY] = "relogin" if linked else "link"


class AdminSignInPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        policy = request.session.get(SESSION_POLICY) if hasattr(request, "session") else None
        if policy and not request.path.startswith(_EXEMPT_PREFIXES) and request.user.is_authenticated:
            if policy == "relogin":
                logout(request)
                return redirect(reverse("sso:admin_microsoft_login") + "?required=1")
            return redirect("sso:admin_link")
        return self.get_response(request)
