"""Integrations > Microsoft Entra ID > SSO, and portal administrators' "Sign in with Microsoft"."""

from django.contrib import messages
from django.contrib.auth import login
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from extensions.models import Extension
from integrations.graph import SignInError
from integrations.models import EntraConnection
from integrations.redirect_uris import admin_redirect_uri, redirect_uris, uc_client_redirect_uri
from integrations.services import connection_for
from organizations.decorators import organization_required
from organizations.models import Membership
from pbx_portal.http import client_ip
from sso import refusals
from sso.callback import ADMIN_PURPOSES, Refused, callback_complete, refuse
from sso.claims import shown_account
from sso.flows import flow_begin
from sso.forms import EmailForm, SsoSettingsForm, UcPasswordForm
from sso.middleware import MICROSOFT_LOGIN_MARK, SESSION_ADMIN_METHOD, SESSION_POLICY
from sso.models import AdminMicrosoftLink
from sso.selectors import connection_for_email, sign_in_events, sso_settings_for
from sso.services import admin_link_save, admin_unlink, sign_in_record, sso_settings_save, uc_password_set
from sso.views_uc import refusal_page


def setup_warnings(connection: EntraConnection) -> list[dict]:
    """What stops SSO from working, from the connection's last Test Connection."""
    if not connection.pk or not connection.is_configured:
        return [{"level": "error", "key": "not_configured",
                 "text": "The connection is not configured: save it on the Connection tab and run Test Connection."}]
    warnings = []
    if connection.status != EntraConnection.Status.CONNECTED or not connection.expected_tenant_id:
        warnings.append({"level": "error", "key": "not_tested",
                         "text": "The connection is not tested (or its last test failed): run Test Connection on the "
                                 "Connection tab, so the tenant and its verified domains are known."})
    elif not connection.verified_domains:
        warnings.append({"level": "warn", "key": "no_domains",
                         "text": "No verified domains are known: UC users cannot be routed by email. Run Test "
                                 "Connection."})
    if connection.app_redirect_uris is None:
        if connection.status == EntraConnection.Status.CONNECTED:
            warnings.append({"level": "warn", "key": "redirect_unknown",
                             "text": "The app's redirect URIs could not be read (grant Application.Read.All to let "
                                     "Test Connection check them). Make sure the SSO Redirect URI is registered."})
    elif uc_client_redirect_uri() not in connection.app_redirect_uris:
        warnings.append({"level": "error", "key": "redirect_missing",
                         "text": f"The SSO Redirect URI {uc_client_redirect_uri()} is not registered in the app: "
                                 "sign-ins fail with AADSTS50011. Add it under Authentication > Web, exactly as "
                                 "shown (trailing slash included), then run Test Connection."})
    return warnings


@require_http_methods(["GET", "POST"])
@organization_required
def entra_sso_view(request):
    organization = request.organization
    connection = connection_for(organization)
    link = AdminMicrosoftLink.objects.filter(user=request.user).first()
    form = SsoSettingsForm(request.POST or None, instance=sso_settings_for(organization),
                           admin_linked=link is not None)
    if request.method == "POST":
        if form.is_valid():
            sso_settings_save(organization=organization, actor=request.user, **form.cleaned_data)
            messages.success(request, "SSO settings saved.")
            return redirect("sso_settings:settings")
        messages.error(request, "Nothing was saved: please correct the fields marked below.")
    return render(request, "sso/sso_settings.html", {
        "form": form, "connection": connection, "warnings": setup_warnings(connection),
        "uc_redirect_uri": uc_client_redirect_uri(), "admin_redirect_uri": admin_redirect_uri(),
        "redirect_uris": redirect_uris(), "link": link, "events": sign_in_events(organization),
        "try_email": request.user.email or "",
    })


@require_http_methods(["GET", "POST"])
@organization_required
def admin_link_view(request):
    """GET: why and how to link; POST: start the Microsoft sign-in that links this admin."""
    connection = connection_for(request.organization)
    if request.method == "GET":
        return render(request, "sso/admin_link.html", {
            "link": AdminMicrosoftLink.objects.filter(user=request.user).first(),
            "ready": connection.pk and connection.is_configured and connection.expected_tenant_id,
        })
    if not (connection.pk and connection.is_configured and connection.expected_tenant_id):
        messages.error(request, "Connect and test Microsoft Entra ID first.")
        return redirect("sso:admin_link")
    try:
        auth_uri = flow_begin(request, connection=connection, purpose="admin_link",
                              redirect_uri=admin_redirect_uri(), login_hint=request.user.email or "")
    except SignInError:
        messages.error(request, "Microsoft Entra ID could not be reached. Try again in a minute.")
        return redirect("sso:admin_link")
    return redirect(auth_uri)


@require_POST
@organization_required
def admin_unlink_view(request):
    if admin_unlink(user=request.user, organization=request.organization):
        messages.success(request, "Your Microsoft account is no longer linked.")
    return redirect("sso_settings:settings")


@require_http_methods(["GET", "POST"])
def admin_microsoft_login_view(request):
    """Portal administrators: Sign in with Microsoft (their organization is found from the email's domain)."""
    form = EmailForm(request.POST or None, initial={"email": request.GET.get("email", "")})
    if request.method == "POST" and form.is_valid():
        connection = connection_for_email(form.cleaned_data["email"])
        if connection is None or not connection.is_configured or not connection.expected_tenant_id:
            form.add_error("email", "No organization signs in with Microsoft for this domain.")
        else:
            try:
                auth_uri = flow_begin(request, connection=connection, purpose="admin_login",
                                      redirect_uri=admin_redirect_uri(), login_hint=form.cleaned_data["email"])
            except SignInError:
                form.add_error(None, "Microsoft Entra ID could not be reached. Try again in a minute.")
            else:
                return redirect(auth_uri)
    required = request.GET.get("required") == "1"
    return render(request, "sso/admin_login.html", {"form": form, "required": required},
                  status=400 if form.errors else 200)


def admin_callback_view(request):
    try:
        done = callback_complete(request, purposes=ADMIN_PURPOSES)
        claims, organization = done.claims, done.organization
        if done.purpose == "admin_link":
            user = request.user if request.user.is_authenticated else None
            if user is None or getattr(request, "organization", None) != organization:
                raise refuse(request, refusals.bad_state(), organization=organization, channel="admin",
                             claims=claims, detail="linking needs the administrator who started it")
            if admin_link_save(user=user, organization=organization, claims=claims) is None:
                raise refuse(request, refusals.admin_identity_taken(shown_account(claims)),
                             organization=organization, channel="admin", claims=claims)
            request.session[SESSION_ADMIN_METHOD] = "microsoft"
            request.session.pop(SESSION_POLICY, None)
            sign_in_record(organization=organization, channel="admin", succeeded=True, reason="admin_linked",
                           claims=claims, ip=client_ip(request))
            messages.success(request, f"Your Microsoft account {shown_account(claims)} is linked: you can now "
                                      "sign in with Microsoft.")
            return redirect("sso_settings:settings")
        link = (AdminMicrosoftLink.objects.select_related("user")
                .filter(tenant_id=claims.tid, object_id=claims.oid).first())
        membership = Membership.objects.filter(user=link.user).first() if link else None
        if link is None or not link.user.is_active or membership is None or \
                membership.organization_id != organization.pk:
            raise refuse(request, refusals.admin_not_linked(shown_account(claims)), organization=organization,
                         channel="admin", claims=claims)
    except Refused as refused:
        return refusal_page(request, refused)
    setattr(request, MICROSOFT_LOGIN_MARK, True)
    login(request, link.user, backend="django.contrib.auth.backends.ModelBackend")  # rotates the session key
    request.session[SESSION_ADMIN_METHOD] = "microsoft"
    sign_in_record(organization=organization, channel="admin", succeeded=True, reason="signed_in", claims=claims,
                   ip=client_ip(request))
    return redirect("extensions:list")


@require_http_methods(["GET", "POST"])
@organization_required
def uc_password_view(request, pk: int):
    """Set a PBX password for UC Client sign-in without Microsoft."""
    extension = get_object_or_404(Extension, pk=pk, organization=request.organization)
    form = UcPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        uc_password_set(extension=extension, password=form.cleaned_data["password"], actor=request.user)
        messages.success(request, f"UC Client password set for extension {extension.number}.")
        return redirect("extensions:list")
    return render(request, "sso/uc_password_form.html", {"form": form, "extension": extension})
