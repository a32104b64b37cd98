from django.contrib.auth.decorators import login_required, user_passes_test
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from organizations.middleware import OPERATOR_SESSION_KEY
from organizations.models import Organization


@login_required
def no_organization_view(request):
    return render(request, "organizations/no_organization.html", status=403)


@login_required
@user_passes_test(lambda user: user.is_superuser)
def organization_choose_view(request):
    return render(request, "organizations/organization_choose.html", {
        "organizations": Organization.objects.order_by("name").only("id", "name", "slug"),
    })


@require_POST
@login_required
@user_passes_test(lambda user: user.is_superuser)
def organization_switch_view(request):
    organization = get_object_or_404(Organization, pk=request.POST.get("organization"))
    request.session[OPERATOR_SESSION_KEY] = organization.pk
    return redirect("extensions:list")
