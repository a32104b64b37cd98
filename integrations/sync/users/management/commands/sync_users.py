"""python manage.py sync_users "<organization>" [--full] [--dry-run] [--json]: one user sync in the foreground.

An explicit run: it uses the saved User Synchronization settings whether automatic sync is on or off."""

import json
import sys

from django.core.management.base import BaseCommand, CommandError

from integrations.models import EntraConnection
from integrations.sync.models import SyncKind, SyncRun
from integrations.sync.reporting import run_summary
from integrations.sync.runs import run_execute, run_request
from integrations.sync.users.engine import user_sync_settings
from integrations.sync.users.scope import scope_description
from organizations.management.arguments import organization_from_argument

FAILED_STATUSES = (SyncRun.Status.FAILED,)


class Command(BaseCommand):
    help = "Run one user and extension sync for an organization in the foreground and print its summary."

    def add_arguments(self, parser):
        parser.add_argument("organization", help="Organization name (case-insensitive) or slug")
        parser.add_argument("--full", action="store_true", help="Read every user instead of only the changes")
        parser.add_argument("--dry-run", action="store_true", help="Plan only: change nothing")
        parser.add_argument("--json", action="store_true", help="Print one JSON object")

    def handle(self, *args, **options):
        organization = organization_from_argument(options["organization"])
        connection = EntraConnection.objects.filter(organization=organization).first()
        self.automatic = bool(connection and connection.feature_user_sync)
        if not options["json"]:
            state = "on" if self.automatic else "off (this run is the only one)"
            self.stdout.write(f"Automatic user sync is {state}. This run uses the saved settings: "
                              f"{scope_description(user_sync_settings(organization))}.")
        run, created = run_request(organization=organization, kind=SyncKind.USERS, trigger=SyncRun.Trigger.COMMAND,
                                   full=options["full"], dry_run=options["dry_run"], enqueue=False)
        if not created:
            summary = {**run_summary(run), "status": "skipped",
                       "error": f"Another user sync (run {run.pk}) is {run.status} for this organization."}
            return self._print(summary, options, failed=False)
        show_progress = not options["json"] and sys.stdout.isatty()
        finished = run_execute(run.pk, progress=self._progress if show_progress else None) or \
            SyncRun.objects.get(pk=run.pk)
        if show_progress:
            self.stdout.write("\n")
        finished.refresh_from_db()
        self._print(run_summary(finished), options, failed=finished.status in FAILED_STATUSES)

    def _progress(self, run):
        counts = run.counts or {}
        self.stdout.write(f"\r{run.phase[:50]:<50} created {counts.get('created', 0)} · updated "
                          f"{counts.get('updated', 0)} · conflicts {counts.get('conflicts', 0)}", ending="")
        self.stdout.flush()

    def _print(self, summary, options, *, failed):
        summary = {**summary, "automatic_sync": self.automatic}
        if options["json"]:
            self.stdout.write(json.dumps(summary))
        else:
            for key, value in summary.items():
                self.stdout.write(f"{key:>16}: {value}")
        if failed:
            raise CommandError(summary.get("error") or "the sync failed", returncode=1)
