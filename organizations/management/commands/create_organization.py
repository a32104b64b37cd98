import os

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from organizations.services import organization_create


class Command(BaseCommand):
    help = "Create a PBX customer organization and its first portal administrator."

    def add_arguments(self, parser):
        parser.add_argument("name", help="Organization name, e.g. \"Contoso Ltd\"")
        parser.add_argument("--admin", required=True, help="Username of the first administrator")
        secret = parser.add_mutually_exclusive_group(required=True)
        secret.add_argument(
            "--password", help="Administrator password (visible in the process list; prefer --password-env)"
        )
        secret.add_argument(
            "--password-env", metavar="VAR", help="Read the administrator password from this environment variable"
        )
        parser.add_argument(
            "--email", default="", help="Administrator e-mail address (receives credential warnings)"
        )
        parser.add_argument(
            "--allow-weak-password", action="store_true", help="Skip password strength checks (demo installs only)"
        )

    def handle(self, *args, name, admin, password, password_env, email, allow_weak_password, **options):
        if password_env:
            password = os.environ.get(password_env)
            if not password:
                raise CommandError(f"Environment variable {password_env} is not set or empty.")
        try:
            organization, user = organization_create(
                name=name, admin_username=admin, admin_password=password, admin_email=email,
                check_password_strength=not allow_weak_password,
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(self.style.SUCCESS(
            f'Created organization "{organization.name}" (id {organization.pk}, slug {organization.slug}) '
            f'with administrator "{user.username}".'
        ))
