import secrets

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from organizations.decorators import organization_required
from organizations.forms import OrganizationSettingsForm, OrganizationSwitchForm
from organizations.middleware import OPERATOR_SESSION_KEY
from organizations.models import DEFAULT_API_SCOPES, ApiScope, Organization, OrganizationApiKey
from organizations.services import api_key_create, api_key_revoke, organization_settings_save

API_KEY_FORM_TOKENS = "api_key_form_tokens"
SCOPE_HELP = {
    ApiScope.CALLER_ID: "GET /api/pbx/lookup: the name for an incoming number from extensions (colleagues by "
                        "extension, mobile or business phone) and company contacts (shared mailboxes).",
    ApiScope.CALLER_ID_PERSONAL: "Adds to Caller ID: with &extension=, the called user's own Outlook contacts are "
                                 "searched first. Whoever holds the key can learn names from any user's personal "
                                 "address book.",
    ApiScope.CALL_EVENTS: "POST /api/pbx/calls/events: report calls starting and ending (Teams presence "
                          "\u201cIn a call\u201d).",
}


def _operator_only(request):
    """Operators pick an organization; an organization's admin has one and goes home; anyone else gets a 403.

    (Sending them to the login page instead, as user_passes_test does, loops: they are signed in already.)
    """
    if request.user.is_superuser:
        return None
    if getattr(request, "organization", None) is not None:
        return redirect("extensions:list")
    raise PermissionDenied


@login_required
def no_organization_view(request):
    return render(request, "organizations/no_organization.html", status=403)


def _choose_page(request, form, status=200):
    return render(request, "organizations/organization_choose.html", {
        "organizations": Organization.objects.order_by("name").only("id", "name", "slug"), "form": form,
    }, status=status)


@login_required
def organization_choose_view(request):
    return _operator_only(request) or _choose_page(request, OrganizationSwitchForm())


@require_POST
@login_required
def organization_switch_view(request):
    refused = _operator_only(request)
    if refused:
        return refused
    form = OrganizationSwitchForm(request.POST)
    if not form.is_valid():
        return _choose_page(request, form, status=400)
    request.session[OPERATOR_SESSION_KEY] = form.cleaned_data["organization"].pk
    return redirect("extensions:list")


def _form_token_issue(request) -> str:
    """A one-time token for the Create form, kept in the session (the last few, for several open tabs)."""
    token = secrets.token_urlsafe(16)
    request.session[API_KEY_FORM_TOKENS] = [*request.session.get(API_KEY_FORM_TOKENS, [])[-4:], token]
    return token


def _form_token_spent(request) -> bool:
    """True when the form was sent before (a reload or a second click re-posts it): no second key then.

    A POST without a token (a script) creates a key as before; the page's form always carries one."""
    token = request.POST.get("form_token")
    if not token:
        return False
    issued = request.session.get(API_KEY_FORM_TOKENS, [])
    if token not in issued:
        return True
    request.session[API_KEY_FORM_TOKENS] = [t for t in issued if t != token]
    return False


@organization_required
def api_key_list_view(request):
    """List the organization's API keys; a POST creates one and shows its plaintext once, on this response only."""
    new_key, errors = None, {}
    chosen = list(DEFAULT_API_SCOPES)
    if request.method == "POST" and _form_token_spent(request):
        messages.info(request, "This form was already sent, so no other key was created: the key it created is "
                               "listed below, and its value was shown only once. Create a new key if you did not "
                               "copy it, then revoke the first one.")
    elif request.method == "POST":
        chosen = request.POST.getlist("scopes")
        try:
            api_key, new_key = api_key_create(organization=request.organization, name=request.POST.get("name", ""),
                                              actor=request.user, scopes=chosen)
        except ValidationError as exc:
            errors = {field: messages_[0] for field, messages_ in exc.message_dict.items()}
        else:
            messages.success(request, f'API key "{api_key.name}" created with {", ".join(api_key.scopes)}. Copy it '
                                      "now: it will not be shown again.")
            chosen = list(DEFAULT_API_SCOPES)
    response = render(request, "organizations/apikey_list.html", {
        "api_keys": OrganizationApiKey.objects.filter(organization=request.organization).select_related("created_by"),
        "new_key": new_key,
        "errors": errors,
        "name_value": request.POST.get("name", "") if errors else "",
        "scopes": [{"value": scope.value, "label": scope.label, "help": SCOPE_HELP[scope],
                    "checked": scope.value in chosen} for scope in ApiScope],
        "rate_limit": settings.API_KEY_RATE_LIMIT,
        "form_token": _form_token_issue(request),
    }, status=400 if errors else 200)
    response["Cache-Control"] = "no-store"
    return response


@organization_required
def api_key_revoke_view(request, pk):
    api_key = get_object_or_404(OrganizationApiKey, organization=request.organization, pk=pk)
    if request.method == "POST":
        if api_key_revoke(api_key=api_key, actor=request.user):
            messages.success(request, f'API key "{api_key.name}" revoked. Calls using it are now refused.')
        else:
            messages.info(request, f'API key "{api_key.name}" was already revoked.')
        return redirect("organizations:api_keys")
    return render(request, "organizations/apikey_confirm_revoke.html", {"api_key": api_key})


@organization_required
def organization_settings_view(request):
    form = OrganizationSettingsForm(request.POST or None, instance=request.organization)
    if request.method == "POST":
        if form.is_valid():
            organization_settings_save(organization=request.organization, cleaned_data=form.cleaned_data,
                                       actor=request.user)
            messages.success(request, "Organization settings saved.")
            return redirect("organizations:settings")
        messages.error(request, "Nothing was saved: please correct the fields marked below.")
    return render(request, "organizations/organization_settings.html", {"form": form},
                  status=400 if form.errors else 200)
