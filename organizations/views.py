from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from organizations.decorators import organization_required
from organizations.forms import OrganizationSwitchForm
from organizations.middleware import OPERATOR_SESSION_KEY
from organizations.models import Organization, OrganizationApiKey
from organizations.services import api_key_create, api_key_revoke


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


@organization_required
def api_key_list_view(request):
    """List the organization's API keys; a POST creates one and shows its plaintext once, on this response only."""
    new_key = None
    name_error = ""
    if request.method == "POST":
        try:
            api_key, new_key = api_key_create(organization=request.organization, name=request.POST.get("name", ""),
                                              actor=request.user)
        except ValidationError as exc:
            name_error = exc.messages[0]
        else:
            messages.success(request, f'API key "{api_key.name}" created. Copy it now: it will not be shown again.')
    response = render(request, "organizations/apikey_list.html", {
        "api_keys": OrganizationApiKey.objects.filter(organization=request.organization).select_related("created_by"),
        "new_key": new_key,
        "name_error": name_error,
        "name_value": request.POST.get("name", "") if name_error else "",
    }, status=400 if name_error else 200)
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
