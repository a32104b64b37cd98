""""Require Sign in with Microsoft for administrators" holds on every URL an administrator's session can reach.

A password-only session of an administrator whose organization requires Microsoft sign-in is walked over every URL
pattern of the URLconf (GET and POST, path converters filled in): each answers with the policy's redirect, except
the Microsoft sign-in itself and the surfaces that never act on an administrator's session (UC Client, PBX API).
A new view cannot forget the policy: it is redirected unless it is named here on purpose.
"""

import pytest
from django.contrib.auth import BACKEND_SESSION_KEY

from sso.middleware import SESSION_POLICY
from sso.models import AdminMicrosoftLink, SsoSettings, UcCredential
from tests.helpers.factories import ADMIN_PASSWORD, make_admin, make_extension
from tests.helpers.urlconf import url_routes

pytestmark = pytest.mark.django_db

# What a password-only session may still open under the policy, and why.
MICROSOFT_SIGN_IN = {"sso:admin_microsoft_login", "sso:admin_callback", "logout"}
NOT_ADMIN_SURFACES = {
    "healthz",
    "uc:home", "uc:login", "uc:sso_start", "uc:password", "uc:logout", "sso:uc_callback",
    "uc_token", "uc_revoke", "uc_me", "uc_openapi",
    "uc_directory_api", "uc_directory:page", "pbx_lookup",
    "pbx_call_events",
    # Microsoft Entra provisioning (SCIM): the Secret Token authenticates, never a session (exempt on purpose)
    "scim:service_provider_config", "scim:resource_types", "scim:resource_type", "scim:schemas", "scim:schema",
    "scim:users", "scim:user", "scim:groups", "scim:group", "scim:root", "scim:not_found",
    "scim:search", "scim:users_search", "scim:groups_search",
    "realtime:notifications", "realtime:lifecycle",  # Microsoft Graph calls them: no session, a clientState
}
REDIRECT = {"relogin": "/sso/microsoft/login/?required=1", "link": "/sso/microsoft/link/"}


@pytest.fixture
def requiring_org(organization):
    SsoSettings.objects.create(organization=organization, allow_sso_login=True, require_microsoft_for_admins=True)
    return organization


def password_session(client, user, policy):
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    session = client.session
    session[SESSION_POLICY] = policy
    session.save()
    assert client.session[BACKEND_SESSION_KEY]


@pytest.mark.parametrize("policy", ["relogin", "link"])
def test_every_admin_url_obeys_the_policy(client, requiring_org, policy):
    admin = make_admin(requiring_org, "policy-admin")
    admin.is_staff = admin.is_superuser = True  # the operator console is walked too
    admin.save()
    extension = make_extension(requiring_org, number="1501")
    if policy == "relogin":
        AdminMicrosoftLink.objects.create(user=admin, tenant_id="t", object_id="o")
    allowed = MICROSOFT_SIGN_IN | NOT_ADMIN_SURFACES | ({"sso:admin_link"} if policy == "link" else set())
    walked = []
    for route in url_routes(pk=extension.pk):
        if route.view_name in allowed:
            continue
        for method in ("get", "post"):
            password_session(client, admin, policy)
            response = getattr(client, method)(route.path)
            assert response.status_code == 302 and response["Location"] == REDIRECT[policy], \
                f"{method.upper()} {route.path} ({route.view_name}) answered {response.status_code} " \
                f"{response.get('Location', '')} under the {policy} policy"
        walked.append(route.path)
    assert {f"/sso/extensions/{extension.pk}/uc-password/", "/sso/microsoft/unlink/", "/extensions/",
            "/operator/", "/organizations/api-keys/"} <= set(walked)
    assert len(walked) > 100


def test_the_uc_password_of_a_user_cannot_be_set_under_the_policy(client, requiring_org):
    admin = make_admin(requiring_org, "policy-admin")
    AdminMicrosoftLink.objects.create(user=admin, tenant_id="t", object_id="o")
    extension = make_extension(requiring_org, number="1502")
    client.post("/login/", {"username": admin.username, "password": ADMIN_PASSWORD})
    response = client.post(f"/sso/extensions/{extension.pk}/uc-password/", {"password": "Taken-Over-Passw0rd!"})
    assert response["Location"] == REDIRECT["relogin"]
    assert not UcCredential.objects.filter(extension=extension).exists()


def test_unlinking_is_refused_under_the_policy(client, requiring_org):
    admin = make_admin(requiring_org, "policy-admin")
    AdminMicrosoftLink.objects.create(user=admin, tenant_id="t", object_id="o")
    client.post("/login/", {"username": admin.username, "password": ADMIN_PASSWORD})
    assert client.post("/sso/microsoft/unlink/")["Location"] == REDIRECT["relogin"]
    assert AdminMicrosoftLink.objects.filter(user=admin).exists()


def test_the_microsoft_sign_in_pages_stay_open(client, requiring_org):
    admin = make_admin(requiring_org, "policy-admin")
    password_session(client, admin, "link")
    assert client.get("/sso/microsoft/link/").status_code == 200
    assert client.get("/sso/microsoft/login/").status_code == 200
