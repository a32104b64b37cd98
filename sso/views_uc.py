"""UC Client web sign-in: /uc/login/ (Sign in with Microsoft at once, the email a hint; or email then PBX password),
the callback, /uc/."""

import logging

from django.conf import settings
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from extensions.models import Extension
from integrations.graph import SignInError
from integrations.redirect_uris import uc_client_redirect_uri
from organizations.sign_in_throttle import UC, sign_in_check, sign_in_failure_record, sign_in_success_record
from pbx_portal.http import client_ip
from sso import refusals
from sso.callback import UC_PURPOSES, Refused, callback_complete, refuse
from sso.claims import shown_account
from sso.flows import flow_begin
from sso.forms import EmailForm, PasswordSignInForm, UcSignInForm
from sso.links import organization_for_link
from sso.native import (
    native_callback_url,
    native_code_issue,
    native_redirect_problem,
    native_request_problem,
)
from sso.resolution import extension_bind, extension_resolve
from sso.selectors import connection_for_email, connection_for_sign_in, sso_allowed
from sso.services import sign_in_record, uc_password_check
from sso.uc_session import uc_extension_of, uc_session_end, uc_session_start

logger = logging.getLogger(__name__)

NATIVE_PENDING = "uc_native_pending"


class AppRedirect(HttpResponseRedirect):
    """A redirect to an allow-listed native app scheme (validated by native_redirect_problem before use)."""

    @property
    def allowed_schemes(self):
        return ["http", "https", *settings.UC_NATIVE_REDIRECT_SCHEMES]


def refusal_page(request, refused: Refused):
    return render(request, "sso/refusal.html", {"refusal": refused.refusal, "admin": refused.admin},
                  status=refused.refusal.status)


def _native_params_taken(request):
    """A native app's sign-in request (from the query string): stored in the session until the callback."""
    redirect_uri = request.GET.get("redirect_uri")
    if redirect_uri is None:
        return None
    problem = native_redirect_problem(redirect_uri)
    if problem:
        raise refuse(request, refusals.bad_redirect(redirect_uri), organization=None, channel="uc_native",
                     detail=problem)
    challenge, method = request.GET.get("code_challenge", ""), request.GET.get("code_challenge_method", "")
    app_state = request.GET.get("state", "")
    problem = native_request_problem(code_challenge=challenge, code_challenge_method=method, state=app_state)
    if problem:
        raise refuse(request, refusals.bad_native_request(problem), organization=None, channel="uc_native",
                     detail=problem)
    request.session[NATIVE_PENDING] = {"redirect_uri": redirect_uri, "code_challenge": challenge,
                                       "state": app_state}
    return request.session[NATIVE_PENDING]


def _step_two(request, email: str, *, password_error: str = "", status: int = 200):
    connection = connection_for_email(email)
    organization = connection.organization if connection else None
    return render(request, "uc/login.html", {
        "step": "choose", "email": email, "organization": organization,
        "sso_allowed": bool(organization and sso_allowed(organization)),
        "password_form": PasswordSignInForm(initial={"email": email}), "password_error": password_error,
        "native": request.session.get(NATIVE_PENDING),
    }, status=status)


def _first_screen(request, form: UcSignInForm, *, status: int = 200, password_form=None):
    link = form["org"].value() or ""
    linked = organization_for_link(link) if isinstance(link, str) else None
    return render(request, "uc/login.html", {
        "step": "email", "form": form, "password_form": password_form, "native": request.session.get(NATIVE_PENDING),
        "linked_organization": linked,
        "email_needed": linked is None and connection_for_sign_in() is None,
    }, status=status)


@require_http_methods(["GET", "POST"])
def uc_login_view(request):
    if request.method == "GET":
        try:
            native = _native_params_taken(request)
        except Refused as refused:
            return refusal_page(request, refused)
        if native is None:
            request.session.pop(NATIVE_PENDING, None)
        org = request.GET.get("org", "")
        form = UcSignInForm(initial={"email": request.GET.get("email", ""), "org": org if org.isascii() else ""})
        return _first_screen(request, form)
    form = EmailForm(request.POST)  # "PBX password": the email says whose extension
    if not form.is_valid():
        first = UcSignInForm(request.POST)
        first.is_valid()
        first.add_error("email", "Type your work email to sign in with your PBX password.")
        return _first_screen(request, first, status=400)
    return _step_two(request, form.cleaned_data["email"])


@require_POST
def uc_sso_start_view(request):
    form = UcSignInForm(request.POST)
    if not form.is_valid():
        return _first_screen(request, form, status=400)
    email, link = form.cleaned_data["email"], form.cleaned_data["org"]
    native = request.session.get(NATIVE_PENDING)
    channel = "uc_native" if native else "uc_web"
    connection = connection_for_sign_in(email=email, link=link)
    try:
        if connection is None:
            if email:
                return _step_two(request, email, status=400)
            form.add_error("email", "Type your work email so the portal can find your organization (or open the "
                                    "sign-in link your administrator gave you).")
            return _first_screen(request, form, status=400)
        organization = connection.organization
        if not sso_allowed(organization):
            raise refuse(request, refusals.sso_off(organization.name), organization=organization,
                         channel=channel, email=email)
        if not connection.is_configured or not connection.expected_tenant_id:
            raise refuse(request, refusals.not_configured(), organization=organization, channel=channel,
                         email=email)
        try:
            auth_uri = flow_begin(request, connection=connection, purpose=channel,
                                  redirect_uri=uc_client_redirect_uri(), login_hint=email, extra=native or {})
        except SignInError as exc:
            raise refuse(request, refusals.entra_unreachable(), organization=organization, channel=channel,
                         email=email, detail=str(exc)) from exc
    except Refused as refused:
        return refusal_page(request, refused)
    request.session.pop(NATIVE_PENDING, None)
    return redirect(auth_uri)


@require_GET
def uc_callback_view(request):
    try:
        done = callback_complete(request, purposes=UC_PURPOSES)
        claims, organization = done.claims, done.organization
        account = shown_account(claims)
        resolution = extension_resolve(organization=organization, claims=claims,
                                       verified_domains=done.connection.verified_domains)
        extension = resolution.extension
        if extension is None:
            raise refuse(request, refusals.not_linked(account), organization=organization, channel=done.channel,
                         claims=claims, detail=resolution.detail)
        if extension.status != Extension.Status.ACTIVE:
            raise refuse(request, refusals.extension_disabled(extension.number), organization=organization,
                         channel=done.channel, claims=claims, extension=extension)
        if resolution.how == "email" and not extension_bind(extension=extension, claims=claims):
            raise refuse(request, refusals.not_linked(account), organization=organization, channel=done.channel,
                         claims=claims, detail="the extension was bound to another account meanwhile")
    except Refused as refused:
        return refusal_page(request, refused)
    sign_in_record(organization=organization, channel=done.channel, succeeded=True,
                   reason="bound_by_email" if resolution.how == "email" else "signed_in",
                   detail=resolution.detail, claims=claims, extension=extension, ip=client_ip(request))
    return _signed_in(request, extension, native=done.entry["extra"] if done.purpose == "uc_native" else None,
                      method="microsoft")


def _signed_in(request, extension, *, native: dict | None, method: str):
    """The end of every UC sign-in: the UC Client app gets a one-time code at its redirect URI, a browser a session."""
    if native:
        code = native_code_issue(extension=extension, redirect_uri=native["redirect_uri"],
                                 code_challenge=native["code_challenge"])
        return AppRedirect(native_callback_url(native["redirect_uri"], code, native.get("state", "")))
    uc_session_start(request, extension, method=method)
    return redirect("uc:home")


@require_POST
def uc_password_view(request):
    form = PasswordSignInForm(request.POST)
    if not form.is_valid():
        return redirect("uc:login")
    email, password = form.cleaned_data["email"], form.cleaned_data["password"]
    ip = client_ip(request)
    verdict = sign_in_check(realm=UC, username=email, ip=ip)
    if verdict.refused:
        sign_in_record(organization=None, channel="uc_password", reason="rate_limited", email=email, ip=ip)
        response = _step_two(request, email, status=429, password_error=verdict.explanation)
        response["Retry-After"] = str(verdict.retry_after)
        return response
    extension = uc_password_check(email=email, password=password)
    if extension is None or extension.status != Extension.Status.ACTIVE:
        sign_in_failure_record(realm=UC, username=email, ip=ip)
        sign_in_record(organization=extension.organization if extension else None, channel="uc_password",
                       reason="extension_disabled" if extension else "bad_password", email=email,
                       extension=extension, ip=ip)
        return _step_two(request, email, status=400, password_error="The email or PBX password is not correct, "
                         "or the extension is disabled.")
    sign_in_success_record(realm=UC, username=email, ip=ip)
    sign_in_record(organization=extension.organization, channel="uc_password", succeeded=True, reason="signed_in",
                   email=email, extension=extension, ip=ip)
    return _signed_in(request, extension, native=request.session.pop(NATIVE_PENDING, None), method="password")


@require_GET
def uc_home_view(request):
    extension = uc_extension_of(request)
    if extension is None:
        return redirect("uc:login")
    return render(request, "uc/home.html", {"extension": extension})


@require_POST
def uc_logout_view(request):
    uc_session_end(request)
    return redirect("uc:login")
