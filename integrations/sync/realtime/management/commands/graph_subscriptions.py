"""python manage.py graph_subscriptions "<organization>" [--renew] [--json]: the organization's Microsoft Graph
change-notification subscriptions (resource, status, expiry, last notification); --renew brings them in line with
the switches and renews every one now (the beat's upkeep, in the foreground)."""

import json

from django.core.management.base import BaseCommand, CommandError

from integrations.sync.realtime.models import Subscription
from integrations.sync.realtime.services import subscriptions_maintain
from organizations.management.arguments import organization_from_argument


def _iso(value) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


class Command(BaseCommand):
    help = "List (and with --renew, renew) an organization's Microsoft Graph change-notification subscriptions."

    def add_arguments(self, parser):
        parser.add_argument("organization", help="Organization name, slug or id")
        parser.add_argument("--renew", action="store_true", help="Create missing ones and renew every one now")
        parser.add_argument("--json", action="store_true", help="Print a JSON list")

    def handle(self, *args, **options):
        organization = organization_from_argument(options["organization"])
        outcome = subscriptions_maintain(organization, force_renew=True) if options["renew"] else None
        rows = [{"resource": row.resource, "expires": _iso(row.expires_at), "status": row.status,
                 "last_notification": _iso(row.last_notification_at), "kind": row.kind,
                 "notifications": row.notifications, "error": row.error or None}
                for row in Subscription.objects.filter(organization=organization)]
        if options["json"]:
            self.stdout.write(json.dumps(rows))
        else:
            self._print(organization, rows, outcome)
        if outcome and outcome["failed"]:
            raise CommandError(f"{outcome['failed']} subscription(s) could not be renewed: polling continues at the "
                               "normal interval until they work.")

    def _print(self, organization, rows, outcome):
        if outcome is not None:
            self.stdout.write("Renewal: {created} created, {renewed} renewed, {removed} removed, {failed} failed."
                              .format(**outcome))
        if not rows:
            self.stdout.write(f"{organization} has no Microsoft Graph subscription (near real-time updates are off "
                              "or not set up yet).")
        for row in rows:
            line = (f"{row['resource']}: {row['status']}, expires {row['expires'] or '-'}, last notification "
                    f"{row['last_notification'] or 'none yet'}")
            self.stdout.write(line + (f" ({row['error']})" if row["error"] else ""))
