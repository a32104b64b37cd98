from django.core.management.base import BaseCommand

from integrations.credential_health import configured_connection_ids, credential_health_check
from integrations.models import EntraConnection


class Command(BaseCommand):
    help = "Test every configured Microsoft Entra connection now (what the daily beat task does), and warn on expiry."

    def handle(self, *args, **options):
        for connection_id in configured_connection_ids():
            connection = EntraConnection.objects.select_related("organization").get(pk=connection_id)
            summary = credential_health_check(connection=connection)
            self.stdout.write(f"{connection.organization.name}: {summary}")
