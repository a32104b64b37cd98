"""python manage.py connect_entra "<organization>" --tenant-id T --client-id C --secret-env VAR [--test]"""

import os

from django.core.management.base import BaseCommand, CommandError

from integrations.forms import EntraConnectionForm
from integrations.models import EntraConnection
from integrations.services import connection_for, connection_save, connection_test_run
from organizations.management.arguments import organization_from_argument

CHECK_MARKS = {"ok": "OK  ", "fail": "FAIL", "warn": "WARN", "skip": "SKIP"}


class Command(BaseCommand):
    help = ("Save an organization's Microsoft Entra ID connection with the page's validation and audit; with --test, "
            "run Test Connection and print each check. Exit status 0 only when connected.")

    def add_arguments(self, parser):
        parser.add_argument("organization", help="Organization name (case-insensitive) or slug")
        parser.add_argument("--tenant-id", required=True, help="Directory (tenant) ID or verified domain")
        parser.add_argument("--client-id", required=True, help="Application (client) ID")
        parser.add_argument("--secret-env", required=True, metavar="VAR",
                            help="Name of the environment variable holding the client secret's Value")
        parser.add_argument("--test", action="store_true", help="Run Test Connection after saving")

    def handle(self, *args, **options):
        organization = organization_from_argument(options["organization"])
        secret = os.environ.get(options["secret_env"])
        if not secret:
            raise CommandError(f"The environment variable {options['secret_env']} is not set or empty.")
        connection = connection_for(organization)
        form = EntraConnectionForm({"tenant_id": options["tenant_id"], "client_id": options["client_id"],
                                    "credential_type": EntraConnection.CredentialType.SECRET,
                                    "client_secret": secret}, instance=connection)
        if not form.is_valid():
            problems = "; ".join(f"{form.fields[name].label if name in form.fields else name}: {' '.join(errors)}"
                                 for name, errors in form.errors.items())
            raise CommandError(f"Nothing was saved. {problems}")
        connection = connection_save(connection=connection, cleaned_data=form.cleaned_data, certificate=None,
                                     actor=None)
        self.stdout.write(f"Saved the Microsoft Entra ID connection of {organization} (tenant {connection.tenant_id}, "
                          f"client {connection.client_id}).")
        if not options["test"]:
            if connection.status != EntraConnection.Status.CONNECTED:
                raise CommandError("Saved but not tested: run again with --test to check it.", returncode=1)
            return
        outcome = connection_test_run(connection=connection)
        for check in outcome.checks:
            self.stdout.write(f"[{CHECK_MARKS.get(check.status, check.status)}] {check.label}: {check.message}")
            if check.fix and check.status != "ok":
                self.stdout.write(f"       Fix: {check.fix}")
        if not outcome.ok:
            raise CommandError(f"Test Connection failed: {outcome.first_failure.message}", returncode=1)
        self.stdout.write(self.style.SUCCESS("Connected."))
