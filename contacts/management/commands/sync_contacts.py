"""python manage.py sync_contacts "<organization>" [--full] [--json]: one contacts cycle in the foreground."""

import json

from django.core.management.base import BaseCommand, CommandError

from integrations.sync.models import SyncKind, SyncRun
from integrations.sync.runs import active_run, reap_stale_runs, run_execute, run_request
from organizations.models import Organization

COUNT_KEYS = ("mailboxes", "folders", "contacts_created", "contacts_updated", "contacts_deleted", "mailboxes_failed",
              "folders_resynced")


class Command(BaseCommand):
    help = "Run one Outlook contacts sync cycle for an organization now, in this process."

    def add_arguments(self, parser):
        parser.add_argument("organization", help="Organization name or slug")
        parser.add_argument("--full", action="store_true", help="Ignore stored delta links: read every folder again")
        parser.add_argument("--json", action="store_true", help="Print the outcome as JSON")

    def handle(self, *args, **options):
        name = options["organization"]
        organization = (Organization.objects.filter(name=name).first()
                        or Organization.objects.filter(slug=name).first())
        if organization is None:
            raise CommandError(f"No organization named {name!r}.")
        reap_stale_runs(organization, SyncKind.CONTACTS)
        busy = active_run(organization, SyncKind.CONTACTS)
        if busy is not None:
            raise CommandError(f"A contacts sync of {organization} is already {busy.status} (run {busy.pk}).")
        run, _created = run_request(organization=organization, kind=SyncKind.CONTACTS,
                                    trigger=SyncRun.Trigger.COMMAND, full=options["full"], enqueue=False)
        finished = run_execute(run.pk) or SyncRun.objects.get(pk=run.pk)
        summary = summarize(finished)
        if options["json"]:
            self.stdout.write(json.dumps(summary, indent=2))
        else:
            counts = ", ".join(f"{key.replace('_', ' ')}: {summary[key]}" for key in COUNT_KEYS)
            self.stdout.write(f"Contacts sync of {organization}: {summary['status']} ({counts}; Graph requests: "
                              f"{summary['graph_requests']})")
            if summary["error"]:
                self.stdout.write(summary["error"])
        if finished.status not in (SyncRun.Status.SUCCEEDED,):
            raise SystemExit(1)


def summarize(run: SyncRun) -> dict:
    counts = run.counts or {}
    return {"run_id": run.pk, "organization": run.organization.name, "kind": run.kind, "status": run.status,
            "full": run.full, **{key: int(counts.get(key, 0)) for key in COUNT_KEYS},
            "graph_requests": run.graph_requests, "duration_seconds": round(run.duration_seconds or 0.0, 3),
            "error": run.error}
