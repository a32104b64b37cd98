"""Sets ``request.organization``: the admin's own organization, or the one an operator picked."""

from organizations.models import Membership, Organization

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
        return self.get_response(request)
