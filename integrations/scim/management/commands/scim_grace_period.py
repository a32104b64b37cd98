"""python manage.py scim_grace_period: what the daily task does (delete extensions past the grace period)."""

from django.core.management.base import BaseCommand

from integrations.scim.housekeeping import scim_grace_period_apply


class Command(BaseCommand):
    help = ("For organizations provisioned by SCIM push: delete extensions removed from scope longer ago than the "
            "grace period of User Synchronization's settings (their numbers are retained). Runs daily as a task.")

    def handle(self, *args, **options):
        deleted = scim_grace_period_apply()
        if not deleted:
            self.stdout.write("Nothing past the grace period.")
        for slug, count in deleted.items():
            self.stdout.write(f"{slug}: {count} extension(s) deleted after the grace period")
