"""Organizations that require "Sign in with Microsoft" for their administrators.

At a password sign-in (django's user_logged_in signal) an administrator of such an organization is flagged in the
session: "relogin" if a Microsoft account is linked (they are signed out and sent to Sign in with Microsoft), or
"link" if not (they may only link one). The check runs once per sign-in, so ordinary requests cost no query.
Operators (superusers without a membership) are exempt.

The policy holds on every view an administrator's session can reach. The only exceptions are named views, never
path prefixes: the Microsoft sign-in itself (start, callback, sign-out), the link page while the policy asks to
link, and the UC Client's and the PBX's surfaces, which never act on the administrator's session (they
authenticate with a UC session, a UC token or an organization API key).
"""

from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.shortcuts import redirect
from django.urls import reverse

from organizations.models import Membership
from sso.models import AdminMicrosoftLink, SsoSettings

SESSION_ADMIN_METHOD = "admin_auth_method"
SESSION_POLICY = "sso_admin_policy"
MICROSOFT_LOGIN_MARK = "_sso_microsoft_login"

MICROSOFT_SIGN_IN_VIEWS = frozenset({"sso:admin_microsoft_login", "sso:admin_callback", "logout"})
LINK_VIEWS = frozenset({"sso:admin_link"})
NOT_ADMIN_VIEWS = frozenset({
    "healthz",
    # UC Client (web and native): its own session or Bearer tokens
    "uc:home", "uc:login", "uc:sso_start", "uc:password", "uc:logout", "sso:uc_callback",
    "uc_token", "uc_revoke", "uc_me", "uc_openapi",
    "uc_directory_api", "uc_directory:page",
    # the PBX: organization API keys
    "pbx_lookup", "pbx_call_events",
    # Microsoft Entra provisioning (SCIM): the organization's SCIM Secret Token, never a session
    "scim:service_provider_config", "scim:resource_types", "scim:resource_type", "scim:schemas", "scim:schema",
    "scim:users", "scim:user", "scim:groups", "scim:group", "scim:root", "scim:not_found",
    "scim:search", "scim:users_search", "scim:groups_search",
})


@receiver(user_logged_in, dispatch_uid="sso_admin_sign_in_policy")
def admin_sign_in_policy(sender, request, user, **kwargs):
    if request is None or not hasattr(request, "session") or getattr(request, MICROSOFT_LOGIN_MARK, False):
        return
    request.session[SESSION_ADMIN_METHOD] = "password"
    membership = Membership.objects.filter(user=user).first()
    if membership is None or not SsoSettings.objects.filter(organization_id=membership.organization_id,
                                                            require_microsoft_for_admins=True).exists():
        request.session.pop(SESSION_POLICY, None)
        return
    linked = AdminMicrosoftLink.objects.filter(user=user).exists()
    request.session[SESSION_POLICY] = "relogin" if linked else "link"


def policy_allows(policy: str, view_name: str) -> bool:
    """Whether a password-only session under `policy` ("relogin" or "link") may use the view."""
    if view_name in MICROSOFT_SIGN_IN_VIEWS or view_name in NOT_ADMIN_VIEWS:
        return True
    return policy == "link" and view_name in LINK_VIEWS


class AdminSignInPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        policy = request.session.get(SESSION_POLICY) if hasattr(request, "session") else None
        if not policy or not request.user.is_authenticated:
            return None
        if policy_allows(policy, request.resolver_match.view_name):
            return None
        if policy == "relogin":
            logout(request)
            return redirect(reverse("sso:admin_microsoft_login") + "?required=1")
        return redirect("sso:admin_link")
