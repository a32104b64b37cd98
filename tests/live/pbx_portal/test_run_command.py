"""The README's run command works: web, worker, beat and the emulator come up from nothing and serve the portal."""

import os
import signal
import socket
import subprocess
import sys
import time

import pytest
import requests

from tests.helpers.paths import ROOT

pytestmark = pytest.mark.integration


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_run_local_starts_everything_and_signs_in(tmp_path):
    web_port, emulator_port = free_port(), free_port()
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(PORTAL_VAR_DIR=str(tmp_path), PORT=str(web_port), EMULATOR_PORT=str(emulator_port))
    process = subprocess.Popen([sys.executable, "scripts/run_local.py"], cwd=ROOT, env=env, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    output = []
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line and process.poll() is not None:
                break
            output.append(line)
            if "Press Ctrl-C" in line:
                break
        log = "".join(output)
        assert "Press Ctrl-C" in log, log
        password = (tmp_path / "demo_admin_password").read_text().strip()
        assert f"admin  /  {password}" in log
        assert "Tenant ID:" in log and "Client secret:" in log
        session = requests.Session()
        login = None
        deadline = time.monotonic() + 90  # the web server may still be binding its port on a loaded machine
        while login is None and time.monotonic() < deadline and process.poll() is None:
            try:
                login = session.get(f"http://127.0.0.1:{web_port}/login/", timeout=5)
            except requests.ConnectionError:
                time.sleep(0.2)
        assert login is not None, f"the portal never answered on port {web_port}; exit code {process.poll()}"
        assert login.status_code == 200
        response = session.post(f"http://127.0.0.1:{web_port}/login/", data={
            "username": "admin", "password": password, "csrfmiddlewaretoken": session.cookies["csrftoken"],
        }, headers={"Referer": f"http://127.0.0.1:{web_port}/login/"}, timeout=10)
        assert response.url.endswith("/extensions/")
        assert "Demo Organization" in response.text
        assert (tmp_path / "emulator" / "ca.pem").exists()
    finally:
        os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
