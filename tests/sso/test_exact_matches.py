"""Matches that must be exact: an e-mail's domain against the tenant's verified domains, a native app's scheme
against the allow-list, and a sign-in flow's age against its lifetime."""

import uuid

import pytest

from integrations.graph import IdTokenClaims
from integrations.models import EntraConnection
from sso import flows
from sso.claims import usable_email
from sso.models import SignInEvent
from sso.native import native_redirect_problem
from sso.resolution import extension_resolve
from sso.selectors import connection_for_email
from tests.helpers.factories import make_extension, make_organization
from tests.helpers.sso import emulator_sign_in, portal_path, synced_extension

pytestmark = pytest.mark.django_db
VERIFIED = ["contoso.example", "contoso.onmicrosoft.example"]


def claims(email: str, preferred: str = "") -> IdTokenClaims:
    return IdTokenClaims(oid=str(uuid.uuid4()), tid="t", iss="i", email=email,
                         preferred_username=preferred, name="Someone")


# --- e-mail domains ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("email", [
    "someone@evilcontoso.example",       # ends with a verified domain, is not one
    "someone@contoso.example.evil",       # starts with one
    "someone@sub.contoso.example",        # a subdomain Microsoft does not list as verified
    "someone@contoso.examplex",
    "someone@xcontoso.onmicrosoft.example",
    "someone@contoso.example@evil.example",  # the domain is what follows the last @
    "contoso.example",
    "@contoso.example",
])
def test_an_email_outside_the_verified_domains_is_never_usable(email):
    assert usable_email(claims(email), VERIFIED) == ""
    assert usable_email(claims("", preferred=email), VERIFIED) == ""


@pytest.mark.parametrize("email", ["someone@contoso.example", "Someone@CONTOSO.Example", " someone@contoso.example ",
                                   "a.b+c@contoso.onmicrosoft.example"])
def test_an_email_in_a_verified_domain_is_usable(email):
    assert usable_email(claims(email), VERIFIED) == email.strip().lower()


def test_a_listed_subdomain_is_verified_on_its_own():
    assert usable_email(claims("someone@sub.contoso.example"), [*VERIFIED, "sub.contoso.example"]) == \
        "someone@sub.contoso.example"


def test_the_organization_is_found_only_from_an_exactly_verified_domain(organization):
    def connect(org, domains):
        EntraConnection.objects.create(organization=org, tenant_id=domains[0], client_id=str(uuid.uuid4()),
                                       client_secret="s", verified_domains=domains)

    # Look-alikes first, so a match that is not exact finds them before the right one.
    evil, sub = make_organization("Evil Contoso"), make_organization("Contoso Subsidiary")
    connect(evil, ["evilcontoso.example"])
    connect(sub, ["sub.contoso.example"])
    connect(organization, VERIFIED)
    assert connection_for_email("a@contoso.example").organization == organization
    assert connection_for_email("a@CONTOSO.example").organization == organization
    assert connection_for_email("a@evilcontoso.example").organization == evil
    assert connection_for_email("a@sub.contoso.example").organization == sub
    for email in ("a@other.contoso.example", "a@vilcontoso.example", "a@contoso.exampl", "a@ontoso.example",
                  "a@example", 'a@contoso.example"', "a@", "contoso.example"):
        assert connection_for_email(email) is None, email


def test_a_look_alike_domain_never_binds_an_extension(organization):
    extension = make_extension(organization, email="someone@evilcontoso.example")
    resolution = extension_resolve(organization=organization, claims=claims("someone@evilcontoso.example"),
                                   verified_domains=VERIFIED)
    assert resolution.extension is None and resolution.how == ""
    extension.refresh_from_db()
    assert extension.entra_object_id is None


# --- native app schemes -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("uri", ["vcucevil://sso", "vcuc-x://sso", "xvcuc://sso", "vcu://sso", "vcuc.evil://sso",
                                 "vcuc+x://sso", "http://sso", "https://vcuc/sso", "vcuc", "//vcuc"])
def test_a_scheme_that_is_not_exactly_an_allowed_one_is_refused(settings, uri):
    settings.UC_NATIVE_REDIRECT_SCHEMES = ["vcuc"]
    assert native_redirect_problem(uri) != ""


@pytest.mark.parametrize("uri", ["vcuc://sso", "VCUC://sso", "vcuc://sso/callback?x=1", "vcuc:sso"])
def test_the_allowed_scheme_is_accepted(settings, uri):
    settings.UC_NATIVE_REDIRECT_SCHEMES = ["vcuc"]
    assert native_redirect_problem(uri) == ""


@pytest.mark.parametrize("uri", ["vcucevil://sso", "vcuc-x://sso"])
def test_the_sign_in_page_refuses_a_look_alike_scheme(client, settings, organization, uri):
    settings.UC_NATIVE_REDIRECT_SCHEMES = ["vcuc"]
    page = client.get("/uc/login/", {"redirect_uri": uri, "code_challenge": "x" * 43,
                                     "code_challenge_method": "S256"})
    assert page.status_code == 400 and "not an allowed UC Client address" in page.content.decode()


# --- flow lifetime ----------------------------------------------------------------------------------------------
def age_pending_flows(client, seconds: float) -> None:
    """Make the browser's flows in flight `seconds` older, as if the user had waited that long on Microsoft's page."""
    session = client.session
    pending = session[flows.SESSION_KEY]
    for entry in pending.values():
        entry["started"] -= seconds
    session[flows.SESSION_KEY] = pending
    session.save()


@pytest.mark.integration
def test_a_sign_in_older_than_the_flow_lifetime_is_refused_at_the_callback(client, sso_org, emu, http, demo_user):
    extension = synced_extension(sso_org, demo_user)
    start = client.post("/uc/login/microsoft/", {"email": demo_user["username"]})
    assert start.status_code == 302
    callback = emulator_sign_in(emu, http, start["Location"], demo_user["username"], demo_user["password"])
    age_pending_flows(client, flows.FLOW_LIFETIME + 1)  # the user came back after the flow's lifetime
    emu.control("DELETE", "/_emulator/requests")
    answer = client.get(portal_path(callback))
    assert answer.status_code == 400 and "no longer valid" in answer.content.decode()
    event = SignInEvent.objects.order_by("-id").first()
    assert not event.succeeded and event.reason == "state_mismatch"
    assert client.get("/uc/")["Location"] == "/uc/login/"  # not signed in
    assert emu.request_counts()["by_route"].get("POST /{tenant}/oauth2/v2.0/token", 0) == 0  # code never redeemed
    assert extension.pk


@pytest.mark.integration
def test_a_sign_in_just_within_the_flow_lifetime_still_works(client, sso_org, emu, http, demo_user):
    synced_extension(sso_org, demo_user)
    start = client.post("/uc/login/microsoft/", {"email": demo_user["username"]})
    callback = emulator_sign_in(emu, http, start["Location"], demo_user["username"], demo_user["password"])
    age_pending_flows(client, flows.FLOW_LIFETIME - 5)
    assert client.get(portal_path(callback))["Location"] == "/uc/"
