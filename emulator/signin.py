"""The /authorize leg: an HTML sign-in page (field names like Entra's: loginfmt, passwd), codes, redirects."""

import html
import secrets
import time
from http.cookies import SimpleCookie
from urllib.parse import urlencode

from emulator.util import new_guid
from emulator.web import html_response, redirect

SESSION_COOKIE = "ESTSAUTH"
OAUTH_PARAMS = ("client_id", "response_type", "redirect_uri", "scope", "state", "nonce", "prompt", "login_hint",
                "code_challenge", "code_challenge_method", "response_mode", "domain_hint", "client_info")
CODE_LIFETIME = 600


def _error_page(code: int, message: str, status: int = 400):
    body = (f"<!DOCTYPE html><html><head><title>Sign in to your account</title></head><body>"
            f"<h1>Sorry, but we're having trouble signing you in.</h1>"
            f'<div id="error" data-error-code="AADSTS{code}"><p>AADSTS{code}: {html.escape(message)}</p></div>'
            f"<p>Request Id: {new_guid()}</p></body></html>")
    return html_response(status, body)


def _redirect_with(params: dict, response: dict, headers=None):
    """Deliver the authorize answer to the client by its response_mode (query, fragment or form_post)."""
    uri, mode = params["redirect_uri"], params.get("response_mode") or "query"
    if params.get("state") is not None:
        response = {**response, "state": params["state"]}
    if mode == "form_post":
        inputs = "".join(f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}"/>'
                         for k, v in response.items())
        page = (f'<html><head><title>Working...</title></head><body onload="document.forms[0].submit()">'
                f'<form method="POST" name="hiddenform" action="{html.escape(uri)}">{inputs}'
                f'<noscript><input type="submit" value="Continue"/></noscript></form></body></html>')
        return html_response(200, page, headers)
    separator = "#" if mode == "fragment" else ("&" if "?" in uri else "?")
    return redirect(uri + separator + urlencode(response), headers)


def _validate(emu, tenant: str, params: dict):
    """An error page (never a redirect: the redirect URI is not trusted yet) or None."""
    from emulator.authority import known_tenant

    if not known_tenant(emu, tenant):
        return _error_page(90002, f"Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID "
                                  "and are signing into the correct cloud.")
    client_id = params.get("client_id")
    if not client_id:
        return _error_page(900144, "The request body must contain the following parameter: 'client_id'.")
    app = emu.state.app
    if client_id != app.client_id:
        return _error_page(700016, f"Application with identifier '{client_id}' was not found in the directory "
                                   f"'{emu.state.domain}'.")
    uri = params.get("redirect_uri")
    if not uri or uri not in app.redirect_uris:
        return _error_page(50011, f"The redirect URI '{uri}' specified in the request does not match the redirect "
                                  f"URIs configured for the application '{client_id}'. Make sure the redirect URI "
                                  "sent in the request matches one added to your application in the Azure portal. "
                                  "Navigate to https://aka.ms/redirectUriMismatchError to learn more about how to "
                                  "fix this.")
    return None


def _oauth_error(params, error: str, code: int, message: str):
    return _redirect_with(params, {"error": error, "error_description": f"AADSTS{code}: {message}",
                                   "error_uri": f"https://login.microsoftonline.com/error?code={code}"})


def _session_user(emu, req):
    cookie = SimpleCookie(req.header("cookie") or "")
    morsel = cookie.get(SESSION_COOKIE)
    return emu.sessions.get(morsel.value) if morsel else None


def authorize_get(emu, req, params, claims=None):
    oauth = {k: req.query[k] for k in OAUTH_PARAMS if k in req.query}
    with emu.state.lock:
        error = _validate(emu, params["tenant"], oauth)
        if error is not None:
            return error
        if "code" not in (oauth.get("response_type") or "").split():
            return _oauth_error(oauth, "unsupported_response_type", 700054,
                                "response_type 'code' is required for this emulator.")
        method = oauth.get("code_challenge_method")
        if method and method not in ("S256", "plain"):
            return _oauth_error(oauth, "invalid_request", 501491,
                                f"Invalid code_challenge_method '{method}'.")
        if oauth.get("prompt") == "none":
            user_id = _session_user(emu, req)
            if user_id is None:
                return _oauth_error(oauth, "login_required", 50058,
                                    "A silent sign-in request was sent but no user is signed in.")
            return _issue_code(emu, oauth, user_id)
    return _form(oauth, params["tenant"], username=oauth.get("login_hint", ""))


def authorize_post(emu, req, params, claims=None):
    form = req.form()
    oauth = {k: form[k] for k in OAUTH_PARAMS if k in form}
    with emu.state.lock:
        error = _validate(emu, params["tenant"], oauth)
        if error is not None:
            return error
        if "cancel" in form:
            return _oauth_error(oauth, "access_denied", 65004, "User declined to consent to access the app.")
        username = (form.get("loginfmt") or "").strip()
        password = form.get("passwd") or ""
        users = emu.state.users
        user = users.get(username)
        if user is None:
            return _form(oauth, params["tenant"], username, 50034,
                         f"The user account {username} does not exist in the {emu.state.domain} directory. To sign "
                         "into this application, the account must be added to the directory.")
        expected = users.passwords.get(user["userPrincipalName"].lower())
        if expected is None or not secrets.compare_digest(expected, password):
            return _form(oauth, params["tenant"], username, 50126,
                         "Error validating credentials due to invalid username or password.")
        if not user.get("accountEnabled", True):
            return _form(oauth, params["tenant"], username, 50057, "The user account is disabled.")
        return _issue_code(emu, oauth, user["id"], new_session=True)


def _issue_code(emu, oauth: dict, user_id: str, new_session: bool = False):
    code = "1.A" + secrets.token_urlsafe(64)
    emu.auth_codes[code] = {
        "client_id": oauth["client_id"], "redirect_uri": oauth["redirect_uri"], "user_id": user_id,
        "scope": oauth.get("scope", "openid"), "nonce": oauth.get("nonce"),
        "code_challenge": oauth.get("code_challenge"), "code_challenge_method": oauth.get("code_challenge_method"),
        "expires": time.time() + CODE_LIFETIME,
    }
    headers = []
    if new_session:
        session = secrets.token_urlsafe(32)
        emu.sessions[session] = user_id
        headers.append(("Set-Cookie", f"{SESSION_COOKIE}={session}; Path=/; Secure; HttpOnly; SameSite=None"))
    return _redirect_with(oauth, {"code": code, "session_state": new_guid()}, headers)


def _form(oauth: dict, tenant: str, username: str = "", error_code: int | None = None, message: str = ""):
    hidden = "".join(f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}"/>'
                     for k, v in oauth.items())
    error = (f'<div id="usernameError" role="alert" data-error-code="AADSTS{error_code}">'
             f"AADSTS{error_code}: {html.escape(message)}</div>") if error_code else ""
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Sign in to your account</title>
<style>body{{font-family:Segoe UI,Arial,sans-serif;background:#f2f2f2}}
form{{background:#fff;width:340px;margin:80px auto;padding:32px;box-shadow:0 2px 6px rgba(0,0,0,.2)}}
input[type=text],input[type=email],input[type=password]{{width:100%;margin:8px 0;padding:6px}}
#usernameError{{color:#e81123}}</style></head>
<body><form method="post" action="/{html.escape(tenant)}/oauth2/v2.0/authorize" id="signinForm">
<div role="heading" aria-level="1">Sign in</div>
<p>Microsoft Entra ID emulator</p>{error}
<label for="i0116">Email, phone, or Skype</label>
<input type="email" name="loginfmt" id="i0116" autocomplete="username" value="{html.escape(username)}"/>
<label for="i0118">Password</label>
<input type="password" name="passwd" id="i0118" autocomplete="current-password"/>
{hidden}
<input type="submit" id="idSIButton9" value="Sign in"/>
<input type="submit" name="cancel" id="idBtn_Back" value="Cancel"/>
</form></body></html>"""
    return html_response(200, page)


def logout(emu, req, params, claims=None):
    target = req.query.get("post_logout_redirect_uri")
    cookie = SimpleCookie(req.header("cookie") or "")
    if SESSION_COOKIE in cookie:
        emu.sessions.pop(cookie[SESSION_COOKIE].value, None)
    expire = [("Set-Cookie", f"{SESSION_COOKIE}=; Path=/; Max-Age=0; Secure; HttpOnly")]
    if target:
        return redirect(target, expire)
    return html_response(200, "<html><body><p>You signed out of your account.</p></body></html>", expire)
