import hashlib
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import jwt
import pytest
from playwright.sync_api import expect

from tests.helpers.html_form import FormParser

REDIRECT = "http://localhost:8000/sso/microsoft/callback/"


def sign_in(emu, http, auth_uri, username, password):
    """Load the sign-in page and post the form like a browser would; returns the final response."""
    page = http.get(auth_uri)
    assert page.status_code == 200, page.text
    form = FormParser()
    form.feed(page.text)
    data = {**form.fields, "loginfmt": username, "passwd": password}
    return http.post(emu.base_url + form.action, data=data, allow_redirects=False)


def _demo(emu):
    return emu.tenant["users"][0]


def test_msal_auth_code_flow_completes(emulator_clean, make_msal_app, http):
    emu, user = emulator_clean, _demo(emulator_clean)
    app = make_msal_app()
    flow = app.initiate_auth_code_flow(scopes=[], redirect_uri=REDIRECT, prompt="select_account",
                                       login_hint=user["username"])
    page = http.get(flow["auth_uri"])
    assert user["username"] in page.text  # login_hint prefilled
    resp = sign_in(emu, http, flow["auth_uri"], user["username"], user["password"])
    assert resp.status_code == 302
    location = urlparse(resp.headers["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == REDIRECT
    params = {k: v[0] for k, v in parse_qs(location.query).items()}
    assert params["state"] == flow["state"]
    result = app.acquire_token_by_auth_code_flow(flow, params)
    assert "error" not in result, result
    claims = result["id_token_claims"]
    assert claims["oid"] == user["id"] and claims["tid"] == emu.tenant_id
    assert claims["iss"] == f"{emu.base_url}/{emu.tenant_id}/v2.0"
    assert claims["aud"] == emu.client_id
    assert claims["nonce"] == hashlib.sha256(flow["nonce"].encode()).hexdigest()  # MSAL sends the hash
    assert claims["preferred_username"] == user["username"] and claims["email"] == user["username"]
    assert claims["name"] == user["display_name"] and claims["exp"] > claims["iat"]
    jwks = http.get(f"{emu.authority}/discovery/v2.0/keys").json()
    key = jwt.PyJWKSet.from_dict(jwks)[jwt.get_unverified_header(result["id_token"])["kid"]]
    jwt.decode(result["id_token"], key.key, algorithms=["RS256"], audience=emu.client_id,
               issuer=f"{emu.base_url}/{emu.tenant_id}/v2.0")


def test_form_post_response_mode(emulator_clean, make_msal_app, http):
    emu, user = emulator_clean, _demo(emulator_clean)
    app = make_msal_app()
    flow = app.initiate_auth_code_flow(scopes=[], redirect_uri=REDIRECT, response_mode="form_post")
    resp = sign_in(emu, http, flow["auth_uri"], user["username"], user["password"])
    assert resp.status_code == 200 and f'action="{REDIRECT}"' in resp.text
    form = FormParser()
    form.feed(resp.text)
    result = app.acquire_token_by_auth_code_flow(flow, form.fields)
    assert result["id_token_claims"]["oid"] == user["id"]
    assert "refresh_token" in result and "access_token" in result


def test_redirect_uri_mismatch_is_aadsts50011(emulator_clean, make_msal_app, http):
    flow = make_msal_app().initiate_auth_code_flow(scopes=[], redirect_uri="http://localhost:9999/wrong/")
    page = http.get(flow["auth_uri"])
    assert page.status_code == 400 and "AADSTS50011" in page.text


def test_added_redirect_uri_is_accepted(emulator_clean, make_msal_app, http):
    uri = "https://pbx.example/sso/microsoft/callback/"
    emulator_clean.control("POST", "/_emulator/app/redirect-uris", json={"uri": uri})
    flow = make_msal_app().initiate_auth_code_flow(scopes=[], redirect_uri=uri)
    assert http.get(flow["auth_uri"]).status_code == 200


def test_wrong_password_shows_aadsts50126(emulator_clean, make_msal_app, http):
    user = _demo(emulator_clean)
    flow = make_msal_app().initiate_auth_code_flow(scopes=[], redirect_uri=REDIRECT)
    resp = sign_in(emulator_clean, http, flow["auth_uri"], user["username"], "nope")
    assert resp.status_code == 200 and "AADSTS50126" in resp.text


def test_disabled_user_cannot_sign_in(emulator_clean, make_msal_app, http):
    user = _demo(emulator_clean)
    emulator_clean.control("PATCH", f"/_emulator/users/{user['id']}", json={"accountEnabled": False})
    flow = make_msal_app().initiate_auth_code_flow(scopes=[], redirect_uri=REDIRECT)
    assert "AADSTS50057" in sign_in(emulator_clean, http, flow["auth_uri"], user["username"], user["password"]).text


def test_cancel_returns_error_to_the_app(emulator_clean, make_msal_app, http):
    app = make_msal_app()
    flow = app.initiate_auth_code_flow(scopes=[], redirect_uri=REDIRECT)
    page = http.get(flow["auth_uri"])
    form = FormParser()
    form.feed(page.text)
    resp = http.post(emulator_clean.base_url + form.action, data={**form.fields, "cancel": "Cancel"},
                     allow_redirects=False)
    params = {k: v[0] for k, v in parse_qs(urlparse(resp.headers["Location"]).query).items()}
    assert params["error"] == "access_denied" and params["state"] == flow["state"]
    result = app.acquire_token_by_auth_code_flow(flow, params)
    assert result["error"] == "access_denied"


def test_prompt_none_without_session_is_login_required(emulator_clean, make_msal_app, http):
    flow = make_msal_app().initiate_auth_code_flow(scopes=[], redirect_uri=REDIRECT, prompt="none")
    resp = http.get(flow["auth_uri"], allow_redirects=False)
    assert resp.status_code == 302 and "error=login_required" in resp.headers["Location"]


def test_pkce_verifier_is_checked(emulator_clean, make_msal_app, http):
    emu, user = emulator_clean, _demo(emulator_clean)
    flow = make_msal_app().initiate_auth_code_flow(scopes=[], redirect_uri=REDIRECT)
    resp = sign_in(emu, http, flow["auth_uri"], user["username"], user["password"])
    code = parse_qs(urlparse(resp.headers["Location"]).query)["code"][0]
    bad = http.post(emu.token_url, data={"grant_type": "authorization_code", "client_id": emu.client_id,
                                         "client_secret": emu.client_secret, "code": code, "redirect_uri": REDIRECT,
                                         "code_verifier": "x" * 50})
    assert bad.status_code == 400 and bad.json()["error_codes"] == [501481]


class _AppPages(BaseHTTPRequestHandler):
    """The app the browser is sent back to: its callback page loads a stylesheet and an image, like a real one."""

    def do_GET(self):
        self.server.paths.append(self.path)
        body = (b'<!DOCTYPE html><html><head><link rel="stylesheet" href="/static/app.css"></head>'
                b'<body><img src="/static/logo.png" alt="">Signed in</body></html>')
        self.send_response(200)
        self.send_header("Content-Type", "text/html" if self.path.startswith("/sso/") else "text/css")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def app_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _AppPages)
    server.paths = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.mark.e2e
def test_browser_sign_in(emulator_clean, make_msal_app, browser, app_server):
    """The redirect back to the app is captured as the browser requests it, whatever answers there.

    page.route() does not see a request that a redirect leads to: the callback goes out to the network. The old
    version of this test routed every request to the app's origin and took the first one it saw, which was the
    callback only while nothing listened there; with a server answering (a developer's `make run` on
    localhost:8000) it caught one of the page's sub-requests instead, a URL without the query, and MSAL said
    "state mismatch: ... vs None". Here the app really answers, with sub-resources, every time."""
    user = _demo(emulator_clean)
    redirect = f"http://localhost:{app_server.server_address[1]}/sso/microsoft/callback/"
    emulator_clean.control("POST", "/_emulator/app/redirect-uris", json={"uri": redirect})
    app = make_msal_app()
    flow = app.initiate_auth_code_flow(scopes=[], redirect_uri=redirect)
    context = browser.new_context(ignore_https_errors=True)
    try:
        page = context.new_page()
        page.goto(flow["auth_uri"])
        page.fill("#i0116", user["username"])
        page.fill("#i0118", user["password"])
        with page.expect_request(lambda r: r.is_navigation_request() and r.url.startswith(redirect + "?")) as sent:
            page.click("#idSIButton9")
        expect(page.get_by_text("Signed in")).to_be_visible()  # the app's page loaded, sub-resources and all
        url = sent.value.url
    finally:
        context.close()
    params = {k: v[0] for k, v in parse_qs(urlparse(url).query).items()}
    assert params["state"] == flow["state"]
    assert app_server.paths[0] == urlparse(url).path + "?" + urlparse(url).query
    result = app.acquire_token_by_auth_code_flow(flow, params)
    assert result["id_token_claims"]["oid"] == user["id"]
