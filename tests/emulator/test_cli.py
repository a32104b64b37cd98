import contextlib
import json
import subprocess
import sys

import requests

from tests.helpers.paths import ROOT

OPTIONS = ["--host", "--port", "--data-dir", "--users", "--groups", "--seed", "--tenant-id", "--client-id",
           "--client-secret", "--redirect-uri", "--throttle-limit", "--throttle-window", "--allow-http-notifications",
           "--notification-ca"]


def test_help_documents_every_option():
    out = subprocess.run([sys.executable, "-m", "emulator", "--help"], cwd=ROOT, capture_output=True, text=True,
                         timeout=30, check=True).stdout
    for option in OPTIONS:
        assert option in out


@contextlib.contextmanager
def running_emulator(data_dir, *options):
    """`python -m emulator` in a subprocess on a free port: yields (base_url, tenant.json, CA path)."""
    proc = subprocess.Popen([sys.executable, "-m", "emulator", "--port", "0", "--data-dir", str(data_dir), *options],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        assert "listening on https://127.0.0.1:" in line, line + proc.stderr.read()
        yield line.split("listening on ")[1].split()[0], json.loads((data_dir / "tenant.json").read_text()), \
            str(data_dir / "ca.pem")
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        proc.stdout.close()
        proc.stderr.close()


def test_subprocess_start_writes_ca_and_tenant_json(tmp_path):
    data_dir = tmp_path / "emu"
    with running_emulator(data_dir, "--host", "127.0.0.1", "--users", "40", "--groups", "3", "--seed", "7",
                          "--redirect-uri", "https://pbx.example/cb/", "--client-id",
                          "6731de76-14a6-49ae-97bc-6eba6914391e", "--client-secret", "s3cr3t-value") as running:
        base_url, tenant, ca = running
        assert tenant["authority_host"] == tenant["graph_url"] == base_url
        assert tenant["ca_bundle"] == str((data_dir / "ca.pem").resolve())
        app = tenant["app"]
        assert app["client_id"] == "6731de76-14a6-49ae-97bc-6eba6914391e" and app["client_secret"] == "s3cr3t-value"
        assert {"client_id", "client_secret", "secret_id", "secret_hint", "secret_expires", "redirect_uris",
                "permissions"} <= set(app)
        assert "https://pbx.example/cb/" in app["redirect_uris"]
        assert "http://localhost:8000/sso/microsoft/callback/" in app["redirect_uris"]
        assert tenant["users"] and {"username", "password", "id", "display_name"} <= set(tenant["users"][0])
        cfg = requests.get(f"{base_url}/{tenant['tenant_id']}/v2.0/.well-known/openid-configuration", verify=ca,
                           timeout=10).json()
        assert cfg["issuer"] == f"{base_url}/{tenant['tenant_id']}/v2.0"
        assert requests.get(f"{base_url}/_emulator/state", verify=ca, timeout=10).json()["users"] == 40


def test_same_seed_same_tenant(tmp_path):
    from emulator.config import EmulatorConfig
    from emulator.seed import build

    one = build(EmulatorConfig(data_dir=tmp_path, users=20, seed=3))
    two = build(EmulatorConfig(data_dir=tmp_path, users=20, seed=3))
    assert one["tenant_id"] == two["tenant_id"] and one["app"]["client_id"] == two["app"]["client_id"]
    assert [u["id"] for u in one["users"]] == [u["id"] for u in two["users"]]
    assert build(EmulatorConfig(data_dir=tmp_path, users=20, seed=4))["tenant_id"] != one["tenant_id"]



def test_allow_http_notifications_flag(tmp_path):
    """Started with --allow-http-notifications, the emulator accepts an http://127.0.0.1 notification URL."""
    from tests.helpers.subscriptions import future
    from tests.helpers.webhook_receiver import WebhookReceiver

    with running_emulator(tmp_path / "emu", "--users", "10", "--allow-http-notifications") as running:
        base_url, tenant, ca = running
        token = requests.post(f"{base_url}/{tenant['tenant_id']}/oauth2/v2.0/token", verify=ca, timeout=10, data={
            "grant_type": "client_credentials", "client_id": tenant["app"]["client_id"],
            "client_secret": tenant["app"]["client_secret"], "scope": "https://graph.microsoft.com/.default",
        }).json()["access_token"]
        with WebhookReceiver() as hook:
            response = requests.post(f"{base_url}/v1.0/subscriptions", verify=ca, timeout=30,
                                     headers={"Authorization": f"Bearer {token}"},
                                     json={"changeType": "updated", "notificationUrl": hook.url("/n"),
                                           "resource": "users", "expirationDateTime": future(60)})
        assert response.status_code == 201, response.text


def test_make_run_starts_the_emulator_with_http_notifications(tmp_path):
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import run_local
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    command = run_local.emulator_command(tmp_path)
    assert command[1:3] == ["-m", "emulator"] and "--allow-http-notifications" in command
