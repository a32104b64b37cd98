"""Lift sign-in locks: `python manage.py unlock_sign_in alice` (and/or `--address 203.0.113.9`).

Clears the account's counts and locks from every address, in both realms (portal administrators and UC Client
PBX password), and prints each one it cleared. Exit 0, also when there was nothing to clear.
"""

from django.core.management.base import BaseCommand, CommandError

from organizations.sign_in_throttle import sign_in_unlock


class Command(BaseCommand):
    help = "Clear sign-in locks and failure counts of a username (admin or UC email) and/or an address."

    def add_arguments(self, parser):
        parser.add_argument("username", nargs="?", default="", help="admin username or UC Client email")
        parser.add_argument("--address", default="", help="a client IP address to unlock as well")

    def handle(self, *args, username: str, address: str, **options):
        if not username and not address:
            raise CommandError("Name a username, an --address, or both.")
        cleared = sign_in_unlock(username=username or None, ip=address or None)
        target = " and ".join(part for part in (username, address) if part)
        if not cleared:
            self.stdout.write(f"Nothing to clear for {target}: no failed sign-ins are counted.")
            return
        self.stdout.write(f"Cleared {len(cleared)} for {target}:")
        for line in cleared:
            self.stdout.write(f"  {line}")
