from integrations.models import EntraConnection
from integrations.status import connection_badge, credential_banners


def entra_status(request):
    organization = getattr(request, "organization", None)
    if organization is None:
        return {}
    connection = EntraConnection.objects.filter(organization=organization).first()
    return {"entra_badge": connection_badge(connection), "credential_banners": credential_banners(connection)}
