"""UC Client SSO end to end: the portal (Django test client) and MSAL against the emulator over HTTPS."""

import uuid
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client

from emulator.pytest_plugin import EmulatorHandle, start_emulator
from extensions.models import Extension
from organizations.models import AuditEntry
from sso.models import SignInEvent
from sso.secrets import s256
from sso.services import sso_settings_save
from tests.helpers.factories import make_extension
from tests.helpers.sso import connect, emulator_sign_in, portal_path, synced_extension, uc_sign_in

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


def last_event():
    return SignInEvent.objects.order_by("-id").first()


def test_connection_test_reads_sso_directory_facts(sso_org, emu):
    connection = sso_org.entra_connection
    assert connection.directory_tenant_id == emu.tenant_id
    assert "contoso.example" in connection.verified_domains
    assert "http://localhost:8000/sso/uc/microsoft/callback/" in connection.app_redirect_uris


def test_synced_user_signs_in_by_oid(client, sso_org, emu, http, demo_user):
    extension = synced_extension(sso_org, demo_user)
    _, answer = uc_sign_in(client, emu, http, demo_user["username"], demo_user["username"], demo_user["password"])
    assert answer.status_code == 302 and answer["Location"] == "/uc/"
    home = client.get("/uc/")
    assert extension.number in home.content.decode() and demo_user["display_name"] in home.content.decode()
    event = last_event()
    assert event.succeeded and event.reason == "signed_in" and event.extension == extension
    assert event.entra_tenant_id == emu.tenant_id


def test_first_sign_in_binds_by_email_then_oid_survives_an_email_change(client, sso_org, emu, http, demo_user):
    manual = make_extension(sso_org, display_name="Manual Alice", email=demo_user["username"].upper())
    _, answer = uc_sign_in(client, emu, http, demo_user["username"], demo_user["username"], demo_user["password"])
    assert answer["Location"] == "/uc/"
    manual.refresh_from_db()
    assert manual.entra_object_id == uuid.UUID(demo_user["id"])
    assert last_event().reason == "bound_by_email"

    # The user's email changes in Entra (and no longer matches the extension): the oid still signs them in.
    emu.control("PATCH", f"/_emulator/users/{demo_user['id']}", json={"mail": "renamed@contoso.example"})
    client.post("/uc/logout/")
    _, answer = uc_sign_in(client, emu, http, demo_user["username"], demo_user["username"], demo_user["password"])
    assert answer["Location"] == "/uc/"
    assert "Manual Alice" in client.get("/uc/").content.decode()
    assert last_event().reason == "signed_in"


def test_extension_bound_to_another_oid_never_matches_by_email(client, sso_org, emu, http, demo_user):
    make_extension(sso_org, email=demo_user["username"], entra_object_id=uuid.uuid4())
    _, answer = uc_sign_in(client, emu, http, demo_user["username"], demo_user["username"], demo_user["password"])
    assert answer.status_code == 403
    assert (f"your Microsoft account {demo_user['username']} is not linked to an extension: ask your administrator "
            "to check that the email on your extension matches") in answer.content.decode()
    assert last_event().reason == "not_linked"
    assert AuditEntry.objects.filter(organization=sso_org, action="sso.sign_in_refused").exists()


def test_email_in_an_unverified_domain_is_never_used(client, sso_org, emu, http, demo_user):
    # nOAuth inside the tenant: the user's mail is set to an address of a domain the tenant did not verify.
    victim = make_extension(sso_org, email="ceo@fabrikam.example")
    emu.control("PATCH", f"/_emulator/users/{demo_user['id']}", json={"mail": "ceo@fabrikam.example"})
    _, answer = uc_sign_in(client, emu, http, demo_user["username"], demo_user["username"], demo_user["password"])
    assert answer.status_code == 403 and last_event().reason == "not_linked"
    victim.refresh_from_db()
    assert victim.entra_object_id is None


def test_disabled_extension_is_refused(client, sso_org, emu, http, demo_user):
    synced_extension(sso_org, demo_user, status=Extension.Status.DISABLED)
    _, answer = uc_sign_in(client, emu, http, demo_user["username"], demo_user["username"], demo_user["password"])
    assert answer.status_code == 403 and "is disabled" in answer.content.decode()
    assert client.get("/uc/")["Location"] == "/uc/login/"
    assert last_event().reason == "extension_disabled"


def test_sso_off_refuses_at_start_and_at_the_callback(client, sso_org, emu, http, demo_user, admin_user):
    synced_extension(sso_org, demo_user)
    start = client.post("/uc/login/microsoft/", {"email": demo_user["username"]})
    assert start.status_code == 302
    sso_settings_save(organization=sso_org, actor=admin_user, allow_sso_login=False)
    callback = emulator_sign_in(emu, http, start["Location"], demo_user["username"], demo_user["password"])
    answer = client.get(portal_path(callback))
    assert answer.status_code == 403 and "Single sign-on is switched off" in answer.content.decode()
    assert client.post("/uc/login/microsoft/", {"email": demo_user["username"]}).status_code == 403
    assert last_event().reason == "sso_off"


def test_tampered_state_and_replayed_callback_are_refused(client, sso_org, emu, http, demo_user):
    synced_extension(sso_org, demo_user)
    start = client.post("/uc/login/microsoft/", {"email": demo_user["username"]})
    callback = emulator_sign_in(emu, http, start["Location"], demo_user["username"], demo_user["password"])
    tampered = callback.replace("state=", "state=x")
    answer = client.get(portal_path(tampered))
    assert answer.status_code == 400 and "no longer valid" in answer.content.decode()
    assert last_event().reason == "state_mismatch"

    emu.control("DELETE", "/_emulator/requests")
    assert client.get(portal_path(callback))["Location"] == "/uc/"  # the real one still works once
    replay = client.get(portal_path(callback))
    assert replay.status_code == 400 and last_event().reason == "state_mismatch"
    # the replay never reached Microsoft: one code redemption only
    assert emu.request_counts()["by_route"].get("POST /{tenant}/oauth2/v2.0/token", 0) == 1


def test_replayed_code_in_another_browser_is_refused(client, sso_org, emu, http, demo_user):
    synced_extension(sso_org, demo_user)
    callback, answer = uc_sign_in(client, emu, http, demo_user["username"], demo_user["username"],
                                  demo_user["password"])
    assert answer["Location"] == "/uc/"
    attacker = Client()
    stolen = attacker.get(portal_path(callback))
    assert stolen.status_code == 400 and attacker.get("/uc/")["Location"] == "/uc/login/"


def test_entra_error_at_the_callback_is_explained(client, sso_org, emu, http, demo_user):
    _, answer = uc_sign_in(client, emu, http, demo_user["username"], demo_user["username"], demo_user["password"],
                           cancel=True)
    body = answer.content.decode()
    assert answer.status_code == 400 and "AADSTS65004" in body and "declined to consent" in body
    assert last_event().reason == "entra_error"


def test_redirect_uri_not_registered_is_warned_and_explained(admin_client, sso_org, emu):
    emu.control("DELETE", "/_emulator/app/redirect-uris", json={"uri": "http://localhost:8000/sso/uc/microsoft/callback/"})
    from integrations.services import connection_test_run

    connection_test_run(connection=sso_org.entra_connection)
    page = admin_client.get("/integrations/entra/sso/").content.decode()
    assert 'data-warning="redirect_missing"' in page
    assert "http://localhost:8000/sso/uc/microsoft/callback/ is not registered" in page


def test_user_of_a_second_tenant_with_the_same_email_is_refused(client, organization, admin_user, emu, http,
                                                                 demo_user, settings, tmp_path):
    """nOAuth: Contoso's Tenant ID is its domain; another tenant claims the domain and has a user with Alice's
    email. Test Connection pinned Contoso's tenant GUID, so that tenant's token is refused and nothing is bound."""
    connection = connect(organization, emu, tenant_id="contoso.example")
    sso_settings_save(organization=organization, actor=admin_user, allow_sso_login=True)
    alice = make_extension(organization, email=demo_user["username"])
    other = start_emulator(tmp_path / "other-tenant", users=5, groups=0, seed=7, client_id=emu.client_id,
                           client_secret=emu.client_secret, tenant_domain="contoso.example", shared_contacts=0)
    try:
        attacker = EmulatorHandle(other)
        assert attacker.tenant_id != emu.tenant_id
        attacker.control("POST", "/_emulator/users", json={
            "displayName": "Mallory", "userPrincipalName": "mallory@contoso.example", "mail": demo_user["username"],
            "password": "Mallory-Passw0rd!"})
        with open(emu.ca_path) as a, open(attacker.ca_path) as b, open(tmp_path / "both.pem", "w") as both:
            both.write(a.read() + b.read())
        settings.MICROSOFT_AUTHORITY_HOST = attacker.base_url  # the domain now answers from the other tenant
        settings.MICROSOFT_CA_BUNDLE = str(tmp_path / "both.pem")
        http.ca_path = str(tmp_path / "both.pem")
        _, answer = uc_sign_in(client, attacker, http, demo_user["username"], "mallory@contoso.example",
                               "Mallory-Passw0rd!")
        attacker.close()
    finally:
        other.stop()
    assert answer.status_code == 403 and "another organization" in answer.content.decode()
    event = last_event()
    assert event.reason == "wrong_tenant" and event.entra_tenant_id == attacker.tenant_id
    assert connection.directory_tenant_id == emu.tenant_id
    alice.refresh_from_db()
    assert alice.entra_object_id is None
    assert client.get("/uc/")["Location"] == "/uc/login/"


# -- native UC Clients ------------------------------------------------------------------------------------------
VERIFIER = "v" * 20 + "-native-app-verifier-0123456789"


def native_sign_in(client, emu, http, user, *, redirect_uri="vcuc://sso", state="app-state-1"):
    page = client.get("/uc/login/", {"redirect_uri": redirect_uri, "code_challenge": s256(VERIFIER),
                                     "code_challenge_method": "S256", "state": state})
    assert page.status_code == 200, page.content.decode()[:500]
    start = client.post("/uc/login/microsoft/", {"email": user["username"]})
    callback = emulator_sign_in(emu, http, start["Location"], user["username"], user["password"])
    answer = client.get(portal_path(callback))
    assert answer.status_code == 302, answer.content.decode()[:500]
    location = answer["Location"]
    assert location.startswith(redirect_uri + "?")
    query = parse_qs(urlsplit(location).query)
    assert query["state"] == [state]
    return query["code"][0]


def token(client, **data):
    return client.post("/api/uc/token", data)


def test_native_code_exchange_refresh_and_me(client, sso_org, emu, http, demo_user):
    extension = synced_extension(sso_org, demo_user)
    code = native_sign_in(client, emu, http, demo_user)
    assert client.get("/uc/")["Location"] == "/uc/login/"  # a native sign-in opens no web session
    issued = token(client, grant_type="authorization_code", code=code, code_verifier=VERIFIER,
                   redirect_uri="vcuc://sso")
    assert issued.status_code == 200, issued.json()
    body = issued.json()
    assert body["token_type"] == "Bearer" and body["extension"]["number"] == extension.number
    me = client.get("/api/uc/me", HTTP_AUTHORIZATION=f"Bearer {body['access_token']}")
    assert me.status_code == 200 and me.json()["email"] == extension.email

    again = token(client, grant_type="authorization_code", code=code, code_verifier=VERIFIER,
                  redirect_uri="vcuc://sso")
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"
    # reusing the code revoked what it issued
    assert client.get("/api/uc/me", HTTP_AUTHORIZATION=f"Bearer {body['access_token']}").status_code == 401

    code = native_sign_in(client, emu, http, demo_user)
    body = token(client, grant_type="authorization_code", code=code, code_verifier=VERIFIER,
                 redirect_uri="vcuc://sso").json()
    refreshed = token(client, grant_type="refresh_token", refresh_token=body["refresh_token"])
    assert refreshed.status_code == 200
    new = refreshed.json()
    assert new["refresh_token"] != body["refresh_token"]
    assert client.get("/api/uc/me", HTTP_AUTHORIZATION=f"Bearer {new['access_token']}").status_code == 200
    assert client.get("/api/uc/me", HTTP_AUTHORIZATION=f"Bearer {body['access_token']}").status_code == 401
    assert token(client, grant_type="refresh_token", refresh_token=body["refresh_token"]).status_code == 400


def test_refresh_stops_when_the_extension_is_disabled(client, sso_org, emu, http, demo_user):
    extension = synced_extension(sso_org, demo_user)
    body = token(client, grant_type="authorization_code", code=native_sign_in(client, emu, http, demo_user),
                 code_verifier=VERIFIER, redirect_uri="vcuc://sso").json()
    Extension.objects.filter(pk=extension.pk).update(status=Extension.Status.DISABLED)
    refused = token(client, grant_type="refresh_token", refresh_token=body["refresh_token"])
    assert refused.status_code == 400 and refused.json()["error_description"] == "the extension is disabled"
    assert client.get("/api/uc/me", HTTP_AUTHORIZATION=f"Bearer {body['access_token']}").status_code == 401


def test_refresh_stops_when_sso_is_switched_off(client, sso_org, emu, http, demo_user, admin_user):
    synced_extension(sso_org, demo_user)
    body = token(client, grant_type="authorization_code", code=native_sign_in(client, emu, http, demo_user),
                 code_verifier=VERIFIER, redirect_uri="vcuc://sso").json()
    sso_settings_save(organization=sso_org, actor=admin_user, allow_sso_login=False)
    refused = token(client, grant_type="refresh_token", refresh_token=body["refresh_token"])
    assert refused.status_code == 400 and "switched off" in refused.json()["error_description"]
    sso_settings_save(organization=sso_org, actor=admin_user, allow_sso_login=True)
    assert token(client, grant_type="refresh_token", refresh_token=body["refresh_token"]).status_code == 200


def test_expired_one_time_code_is_refused(client, sso_org, emu, http, demo_user):
    from datetime import timedelta

    from sso.models import NativeAuthCode

    synced_extension(sso_org, demo_user)
    code = native_sign_in(client, emu, http, demo_user)
    NativeAuthCode.objects.update(expires_at=NativeAuthCode.objects.get().created_at - timedelta(seconds=1))
    refused = token(client, grant_type="authorization_code", code=code, code_verifier=VERIFIER,
                    redirect_uri="vcuc://sso")
    assert refused.status_code == 400 and "expired" in refused.json()["error_description"]


def test_wrong_verifier_burns_the_code(client, sso_org, emu, http, demo_user):
    synced_extension(sso_org, demo_user)
    code = native_sign_in(client, emu, http, demo_user)
    bad = token(client, grant_type="authorization_code", code=code, code_verifier="w" * 43, redirect_uri="vcuc://sso")
    assert bad.status_code == 400 and "code_verifier" in bad.json()["error_description"]
    good = token(client, grant_type="authorization_code", code=code, code_verifier=VERIFIER, redirect_uri="vcuc://sso")
    assert good.status_code == 400


@pytest.mark.parametrize("uri", ["https://evil.example/steal", "evil://sso", "javascript:alert(1)", "//evil.example"])
def test_unlisted_scheme_is_refused(client, sso_org, uri):
    page = client.get("/uc/login/", {"redirect_uri": uri, "code_challenge": s256(VERIFIER),
                                     "code_challenge_method": "S256"})
    assert page.status_code == 400 and "not an allowed UC Client address" in page.content.decode()
    assert last_event().reason == "redirect_refused"
