"""python manage.py sync_presence "<organization>" [--json]: one presence poll cycle in the foreground."""

import json

from django.core.management.base import BaseCommand, CommandError

from integrations.sync.models import SyncKind, SyncRun
from integrations.sync.runs import run_execute, run_request
from organizations.management.arguments import organization_from_argument


class Command(BaseCommand):
    help = "Run one Teams presence poll cycle for an organization now (same code as the scheduled cycle)."

    def add_arguments(self, parser):
        parser.add_argument("organization", help="The organization's name (or slug).")
        parser.add_argument("--json", action="store_true", help="Print status, users, requests, changed as JSON.")

    def handle(self, *args, organization, **options):
        org = organization_from_argument(organization)
        run, created = run_request(organization=org, kind=SyncKind.PRESENCE, trigger=SyncRun.Trigger.COMMAND,
                                   enqueue=False)
        if not created:
            raise CommandError(f"A presence cycle of {org} is already running (run {run.pk}); try again shortly.")
        finished = run_execute(run.pk) or SyncRun.objects.get(pk=run.pk)
        counts = finished.counts or {}
        result = {"status": finished.status, "users": counts.get("users", 0), "requests": finished.graph_requests,
                  "changed": counts.get("changed", 0)}
        if finished.error:
            result["error"] = finished.error
        if options["json"]:
            self.stdout.write(json.dumps(result))
        else:
            self.stdout.write(f"{org}: {result['status']}; {result['users']} users, {result['requests']} Graph "
                              f"requests, {result['changed']} changed" + (f"\n{finished.error}" if finished.error
                                                                           else ""))
        if finished.status == SyncRun.Status.FAILED:
            raise SystemExit(1)
