"""Sets ``request.organization``: the admin's own organization, or the one an operator picked."""

from django.utils import timezone

from organizations.models import Membership, Organization
from organizations.time_zones import zone_info

OPERATOR_SESSION_KEY = "operator_organization_id"


def organization_for(request) -> Organization | None:
    user = request.user
    if not user.is_authenticated:
        return None
    membership = Membership.objects.select_related("organization").filter(user=user).first()
    if membership is not None:
        return membership.organization
    if user.is_superuser:
        org_id = request.session.get(OPERATOR_SESSION_KEY)
        if org_id:
            return Organization.objects.filter(pk=org_id).first()
    return None


class CurrentOrganizationMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.organization = organization_for(request)
        if request.organization is not None:
            time_zone_activate(request.organization)
        try:  # a zone activated here or by a view (the UC Client's) ends with the request
            return self.get_response(request)
        finally:
            timezone.deactivate()


def time_zone_activate(organization: Organization) -> None:
    """Pages rendered from here on show times in the organization's zone."""
    timezone.activate(zone_info(organization.time_zone))
