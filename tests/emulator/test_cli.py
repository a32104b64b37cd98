import json
import subprocess
import sys
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
OPTIONS = ["--host", "--port", "--data-dir", "--users", "--groups", "--seed", "--tenant-id", "--client-id",
           "--client-secret", "--redirect-uri", "--throttle-limit", "--throttle-window"]


def test_help_documents_every_option():
    out = subprocess.run([sys.executable, "-m", "emulator", "--help"], cwd=ROOT, capture_output=True, text=True,
                         timeout=30, check=True).stdout
    for option in OPTIONS:
        assert option in out


def test_subprocess_start_writes_ca_and_tenant_json(tmp_path):
    data_dir = tmp_path / "emu"
    proc = subprocess.Popen(
        [sys.executable, "-m", "emulator", "--host", "127.0.0.1", "--port", "0", "--data-dir", str(data_dir),
         "--users", "40", "--groups", "3", "--seed", "7", "--redirect-uri", "https://pbx.example/cb/",
         "--client-id", "6731de76-14a6-49ae-97bc-6eba6914391e", "--client-secret", "s3cr3t-value"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        assert "listening on https://127.0.0.1:" in line, line + proc.stderr.read()
        base_url = line.split("listening on ")[1].split()[0]
        tenant = json.loads((data_dir / "tenant.json").read_text())
        ca = str(data_dir / "ca.pem")
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
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        proc.stdout.close()
        proc.stderr.close()


def test_same_seed_same_tenant(tmp_path):
    from emulator.config import EmulatorConfig
    from emulator.seed import build

    one = build(EmulatorConfig(data_dir=tmp_path, users=20, seed=3))
    two = build(EmulatorConfig(data_dir=tmp_path, users=20, seed=3))
    assert one["tenant_id"] == two["tenant_id"] and one["app"]["client_id"] == two["app"]["client_id"]
    assert [u["id"] for u in one["users"]] == [u["id"] for u in two["users"]]
    assert build(EmulatorConfig(data_dir=tmp_path, users=20, seed=4))["tenant_id"] != one["tenant_id"]
