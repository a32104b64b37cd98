"""Shared by the sync benchmarks: a fresh PostgreSQL database, an emulator subprocess, Django set up against both."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/bench_sync"


class QueryCounter:
    """Counts the statements sent to the database (COPY included: it goes through the cursor too); install it with
    connection.execute_wrapper(counter) or connection.execute_wrappers.append(counter)."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def django_on_throwaway_database(name: str) -> None:
    """Django set up as a test run sets it up, on a freshly created and migrated database `name` (PostgreSQL when
    DATABASE_URL names it, else the settings' default)."""
    use_throwaway_database(name)
    import django

    django.setup()
    from django.core.management import call_command
    from django.test.utils import setup_test_environment

    setup_test_environment()
    call_command("migrate", verbosity=0)


def fresh_database(url: str) -> None:
    """Drop and create the benchmark database (never the one named in the project's settings)."""
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def use_throwaway_database(name: str) -> None:
    """When DATABASE_URL is PostgreSQL: point it at a freshly created database `name` on the same server."""
    url = os.environ.get("DATABASE_URL")
    if not url or not url.startswith("postgres"):
        return
    target = url.rsplit("/", 1)[0] + f"/{name}"
    fresh_database(target)
    os.environ["DATABASE_URL"] = target


@contextmanager
def emulator(users: int, extra_args: tuple[str, ...] = ()):
    with tempfile.TemporaryDirectory() as tmp:
        proc = subprocess.Popen([sys.executable, "-m", "emulator", "--port", "0", "--data-dir", tmp, "--users",
                                 str(users), *extra_args], cwd=ROOT, stdout=subprocess.PIPE, text=True)
        try:
            line = proc.stdout.readline()
            if "listening on" not in line:
                raise SystemExit(f"emulator failed to start: {line!r}")
            tenant = json.loads((Path(tmp) / "tenant.json").read_text())
            tenant["ca_path"] = str(Path(tmp) / "ca.pem")
            tenant["base_url"] = line.split("listening on ")[1].split()[0]
            yield tenant
        finally:
            proc.terminate()
            proc.wait(timeout=10)


def setup_django(database_url: str, tenant: dict, redis_url: str = "") -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ["MICROSOFT_AUTHORITY_HOST"] = tenant["base_url"]
    os.environ["MICROSOFT_GRAPH_URL"] = tenant["base_url"]
    os.environ["MICROSOFT_CA_BUNDLE"] = tenant["ca_path"]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pbx_portal.settings")
    os.environ["LOG_LEVEL"] = "WARNING"
    if redis_url:
        os.environ["REDIS_URL"] = redis_url
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def control(tenant: dict, method: str, path: str, json_body=None):
    import requests

    response = requests.request(method, f"{tenant['base_url']}/_emulator/{path}", json=json_body,
                                verify=tenant["ca_path"], timeout=120)
    response.raise_for_status()
    return response.json() if response.content else None


def connect_organization(name: str, tenant: dict, **settings_fields):
    from integrations.models import EntraConnection
    from integrations.sync.users.models import UserSyncSettings
    from organizations.models import Organization

    organization = Organization.objects.create(name=name, slug=name.lower().replace(" ", "-"))
    EntraConnection.objects.create(organization=organization, tenant_id=tenant["tenant_id"],
                                   client_id=tenant["app"]["client_id"], client_secret=tenant["app"]["client_secret"],
                                   status=EntraConnection.Status.CONNECTED, feature_user_sync=True)
    UserSyncSettings.objects.create(organization=organization, **settings_fields)
    return organization
