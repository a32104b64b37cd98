from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from organizations.forms import OrganizationSwitchForm
from organizations.middleware import OPERATOR_SESSION_KEY
from organizations.models import Organization


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
