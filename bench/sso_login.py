"""Benchmark: UC Client "Sign in with Microsoft" through the whole flow against the Entra emulator.

    .venv/bin/python bench/sso_login.py [--sign-ins 200]

Starts `python -m emulator` in a subprocess (its own CPU), and runs the portal in this process on a temporary
SQLite database through Django's test client (no HTTP server in front: the figures are the portal's own work).
Each sign-in: GET /uc/login/ -> POST email -> POST Sign in with Microsoft (MSAL builds the authorize URL) ->
GET the emulator's sign-in page -> POST loginfmt/passwd -> GET the portal callback (MSAL redeems the code at the
emulator's token endpoint) -> GET /uc/. Prints sign-ins per second and, per sign-in, the time spent in the
portal (its own work, without the wait on the token endpoint) against the time spent in the emulator.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
VAR = tempfile.mkdtemp(prefix="bench-sso-")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pbx_portal.settings")
os.environ["PORTAL_VAR_DIR"] = VAR
os.environ.pop("DATABASE_URL", None)
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost")
os.environ.setdefault("LOG_LEVEL", "WARNING")
warnings.filterwarnings("ignore", message="response_mode='form_post'")  # query mode: see sso/flows.py


def start_emulator(data_dir: str):
    proc = subprocess.Popen([sys.executable, "-m", "emulator", "--port", "0", "--data-dir", data_dir,
                             "--users", "50"], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    if "listening on" not in line:
        proc.terminate()
        raise SystemExit(f"emulator failed to start: {line!r}")
    return proc, line.split("listening on ")[1].split()[0]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sign-ins", type=int, default=200)
    args = parser.parse_args()
    emu_dir = tempfile.mkdtemp(prefix="bench-sso-emu-")
    proc, base_url = start_emulator(emu_dir)
    try:
        return run(args, base_url, json.loads((Path(emu_dir) / "tenant.json").read_text()), f"{emu_dir}/ca.pem")
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def run(args, base_url: str, tenant: dict, ca: str) -> int:
    import django

    django.setup()
    import uuid

    import requests
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()
    settings.MICROSOFT_AUTHORITY_HOST = settings.MICROSOFT_GRAPH_URL = base_url
    settings.MICROSOFT_CA_BUNDLE = ca
    settings.PUBLIC_BASE_URL = "http://localhost:8000"  # registered in the emulator's app
    call_command("migrate", verbosity=0)

    from extensions.models import Extension
    from integrations.models import EntraConnection
    from integrations.services import connection_test_run
    from organizations.models import Organization
    from sso.flows import signin_client
    from sso.services import sso_settings_save
    from tests.helpers.html_form import FormParser

    organization = Organization.objects.create(name="Contoso", slug="contoso")
    connection = EntraConnection.objects.create(organization=organization, tenant_id=tenant["tenant_id"],
                                                client_id=tenant["app"]["client_id"],
                                                client_secret=tenant["app"]["client_secret"])
    if not connection_test_run(connection=connection).ok:
        raise SystemExit("Test Connection failed against the emulator")
    connection.refresh_from_db()
    sso_settings_save(organization=organization, actor=None, allow_sso_login=True)
    users = tenant["users"]
    for n, user in enumerate(users):
        Extension.objects.create(organization=organization, number=str(2000 + n), display_name=user["display_name"],
                                 email=user["username"], source=Extension.Source.ENTRA,
                                 entra_object_id=uuid.UUID(user["id"]))
    token_wait = [0.0]  # time the callback waits on the emulator's token endpoint

    def on_response(response, *args, **kwargs):
        if "/oauth2/v2.0/token" in response.url:
            token_wait[0] += response.elapsed.total_seconds()

    signin_client(connection).session.hooks["response"].append(on_response)
    browser = requests.Session()
    browser.verify = ca

    def emulator_get(url):
        return browser.request("GET", url, verify=ca, timeout=30)

    def emulator_post(url, data):
        return browser.request("POST", url, data=data, verify=ca, timeout=30, allow_redirects=False)

    portal_times, emulator_times, totals = [], [], []
    # one warm-up sign-in (MSAL fetches the authority's metadata once per process)
    for i in range(args.sign_ins + 1):
        user = users[i % len(users)]
        client = Client()
        token_wait[0] = 0.0
        t0 = time.perf_counter()
        client.get("/uc/login/")
        client.post("/uc/login/", {"email": user["username"]})
        start = client.post("/uc/login/microsoft/", {"email": user["username"]})
        t1 = time.perf_counter()
        page = emulator_get(start["Location"])
        form = FormParser()
        form.feed(page.text)
        answer = emulator_post(base_url + form.action, {**form.fields, "loginfmt": user["username"],
                                                        "passwd": user["password"]})
        t2 = time.perf_counter()
        location = urlsplit(answer.headers["Location"])
        callback = client.get(f"{location.path}?{location.query}")
        home = client.get("/uc/")
        t3 = time.perf_counter()
        if callback.status_code != 302 or callback["Location"] != "/uc/" or user["display_name"] not in \
                home.content.decode():
            raise SystemExit(f"sign-in {i} failed: {callback.status_code} {callback.content[:300]!r}")
        if i == 0:
            continue
        portal = (t1 - t0) + (t3 - t2) - token_wait[0]
        emulator = (t2 - t1) + token_wait[0]
        portal_times.append(portal)
        emulator_times.append(emulator)
        totals.append(t3 - t0)
    elapsed = sum(totals)
    per = statistics.mean(totals) * 1000
    portal_ms, emulator_ms = statistics.mean(portal_times) * 1000, statistics.mean(emulator_times) * 1000
    print(f"SSO sign-ins through the whole flow (portal in-process on SQLite, emulator in a subprocess): "
          f"{len(totals)}")
    print(f"sign-ins/second (one after another): {len(totals) / elapsed:.1f}")
    print(f"per sign-in: {per:.1f} ms total (median {statistics.median(totals) * 1000:.1f} ms)")
    print(f"  portal (its own work, 5 requests):         {portal_ms:.1f} ms  ({portal_ms / per:.0%})")
    print(f"  emulator (sign-in page, credentials, code redemption): {emulator_ms:.1f} ms  ({emulator_ms / per:.0%})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
