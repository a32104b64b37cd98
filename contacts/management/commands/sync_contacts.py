"""python manage.py sync_contacts "<organization>" [--full] [--json]: one contacts cycle in the foreground."""

import json

from django.core.management.base import BaseCommand, CommandError

from integrations.sync.models import SyncKind, SyncRun
from integrations.sync.reporting import run_summary
from integrations.sync.runs import run_execute, run_request
from organizations.management.arguments import organization_from_argument

COUNT_KEYS = ("mailboxes", "folders", "contacts_created", "contacts_updated", "contacts_deleted",
              "mailboxes_failed", "folders_resynced")


class Command(BaseCommand):
    help = "Run one Outlook contacts sync cycle for an organization in the foreground and print its summary."

    def add_arguments(self, parser):
        parser.add_argument("organization", help="Organization name (case-insensitive) or slug")
        parser.add_argument("--full", action="store_true", help="Ignore stored delta links: read every folder again")
        parser.add_argument("--json", action="store_true", help="Print one JSON object")

    def handle(self, *args, **options):
        organization = organization_from_argument(options["organization"])
        run, created = run_request(organization=organization, kind=SyncKind.CONTACTS,
                                   trigger=SyncRun.Trigger.COMMAND, full=options["full"], enqueue=False)
        if not created:
            summary = {**contacts_summary(run), "status": "skipped",
                       "error": f"Another contacts sync (run {run.pk}) is {run.status} for this organization."}
            return self._print(summary, options, failed=False)
        finished = run_execute(run.pk) or SyncRun.objects.get(pk=run.pk)
        finished.refresh_from_db()
        self._print(contacts_summary(finished), options, failed=finished.status == SyncRun.Status.FAILED)

    def _print(self, summary, options, *, failed):
        if options["json"]:
            self.stdout.write(json.dumps(summary))
        else:
            for key, value in summary.items():
                self.stdout.write(f"{key:>18}: {value}")
        if failed:
            raise CommandError(summary.get("error") or "the sync failed", returncode=1)


def contacts_summary(run: SyncRun) -> dict:
    """run_summary with every contacts count present (0 when the run never reached it)."""
    summary = run_summary(run)
    counts = run.counts or {}
    summary.update({key: int(counts.get(key, 0)) for key in COUNT_KEYS})
    return summary
