"""python manage.py scim_token "<organization>": a new SCIM Secret Token, printed once as the last line."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from integrations.scim.tokens import Refused, scim_token_generate
from organizations.management.arguments import organization_from_argument


class Command(BaseCommand):
    help = ("Generate the Secret Token for Microsoft Entra provisioning (SCIM) and switch SCIM provisioning on. An "
            "active token is revoked (a rotation). The token is printed once, as the last line; only its hash is "
            "kept. Refused while Graph user synchronization is switched on.")

    def add_arguments(self, parser):
        parser.add_argument("organization", help="Organization name (case-insensitive) or slug")

    def handle(self, *args, **options):
        organization = organization_from_argument(options["organization"])
        try:
            token, plaintext = scim_token_generate(organization=organization, actor=None)
        except Refused as exc:
            raise CommandError(f"No token was made. {exc}") from exc
        self.stdout.write(f"SCIM provisioning is on for {organization}; Tenant URL {settings.PUBLIC_BASE_URL}/scim/v2/")
        self.stdout.write(f"Secret Token ({token.prefix}…), shown once: paste it into Entra's provisioning settings.")
        self.stdout.write(plaintext)
