"""Run the whole portal locally: migrate, demo organization, Entra emulator, web server, worker and beat.

Used by ``make run``. Everything lives under ``var/``; Ctrl-C stops every process.
"""

import json
import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VAR = Path(os.environ.get("PORTAL_VAR_DIR", ROOT / "var"))
PYTHON = sys.executable
WEB_PORT = int(os.environ.get("PORT", "8000"))
EMULATOR_PORT = int(os.environ.get("EMULATOR_PORT", "9443"))
DEMO_ORG = "Demo Organization"
DEMO_ADMIN = "admin"


def manage(*args: str, env=None) -> subprocess.CompletedProcess:
    return subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True, text=True,
                          capture_output=True)


def demo_password() -> str:
    path = VAR / "demo_admin_password"
    if not path.exists():
        VAR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(12))
        path.chmod(0o600)
    return path.read_text().strip()


def ensure_demo_organization(env) -> str:
    password = demo_password()
    env = dict(env, DEMO_ADMIN_PASSWORD=password)
    result = subprocess.run(
        [PYTHON, "manage.py", "create_organization", DEMO_ORG, "--admin", DEMO_ADMIN,
         "--password-env", "DEMO_ADMIN_PASSWORD", "--email", "admin@localhost"],
        cwd=ROOT, env=env, text=True, capture_output=True, check=False,
    )
    if result.returncode != 0 and "already exists" not in result.stderr:
        sys.exit(f"Could not create the demo organization:\n{result.stderr}")
    return password


def emulator_command(data_dir: Path) -> list[str]:
    """The demo tenant; change notifications may go to the local portal at http://127.0.0.1 (Graph needs https)."""
    return [PYTHON, "-m", "emulator", "--host", "127.0.0.1", "--port", str(EMULATOR_PORT), "--data-dir",
            str(data_dir), "--users", "250", "--groups", "8", "--seed", "1", "--allow-http-notifications"]


def start_emulator(env, processes) -> dict | None:
    if not (ROOT / "emulator" / "__main__.py").exists():
        return None
    data_dir = VAR / "emulator"
    data_dir.mkdir(parents=True, exist_ok=True)
    tenant_file = data_dir / "tenant.json"
    tenant_file.unlink(missing_ok=True)
    processes.append(("emulator", subprocess.Popen(emulator_command(data_dir), cwd=ROOT, env=env)))
    for _ in range(300):
        if tenant_file.exists():
            try:
                return json.loads(tenant_file.read_text())
            except json.JSONDecodeError:
                pass
        time.sleep(0.1)
    sys.exit("The Entra emulator did not start within 30 seconds.")


def main() -> None:
    env = dict(os.environ, PORTAL_VAR_DIR=str(VAR), PYTHONUNBUFFERED="1")
    processes: list[tuple[str, subprocess.Popen]] = []
    try:
        print("Preparing the database ...", flush=True)
        manage("migrate", "--noinput", env=env)
        password = ensure_demo_organization(env)
        tenant = start_emulator(env, processes)
        if tenant:
            env.update(
                MICROSOFT_AUTHORITY_HOST=f"https://127.0.0.1:{EMULATOR_PORT}",
                MICROSOFT_GRAPH_URL=f"https://127.0.0.1:{EMULATOR_PORT}",
                MICROSOFT_CA_BUNDLE=str(VAR / "emulator" / "ca.pem"),
                # The emulator runs with --allow-http-notifications: near real-time updates work on the demo.
                GRAPH_NOTIFICATION_URL=env.get("GRAPH_NOTIFICATION_URL", f"http://127.0.0.1:{WEB_PORT}"),
                GRAPH_NOTIFICATION_ALLOW_HTTP="true",
            )
        processes.append(("web", subprocess.Popen(
            [PYTHON, "manage.py", "runserver", f"127.0.0.1:{WEB_PORT}", "--noreload"], cwd=ROOT, env=env)))
        processes.append(("worker", subprocess.Popen(
            [PYTHON, "-m", "celery", "-A", "pbx_portal", "worker", "--pool", "threads", "--concurrency", "4",
             "--loglevel", "INFO"], cwd=ROOT, env=env)))
        processes.append(("beat", subprocess.Popen(
            [PYTHON, "-m", "celery", "-A", "pbx_portal", "beat", "--loglevel", "INFO"], cwd=ROOT, env=env)))
        print_banner(password, tenant)
        while True:
            for name, process in processes:
                if process.poll() is not None:
                    sys.exit(f"The {name} process stopped (exit code {process.returncode}); stopping the rest.")
            time.sleep(1)
    except KeyboardInterrupt:
        print("\nStopping ...")
    finally:
        for _, process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for _, process in processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()


def print_banner(password: str, tenant: dict | None) -> None:
    lines = [
        "",
        "=" * 72,
        f"  PBX portal:  http://localhost:{WEB_PORT}/",
        f"  Sign in as:  {DEMO_ADMIN}  /  {password}      (organization: {DEMO_ORG})",
    ]
    if tenant:
        app = tenant["app"]
        lines += [
            "",
            "  Demo Microsoft Entra tenant (emulator) - enter these under Integrations > Microsoft Entra ID:",
            f"    Tenant ID:      {tenant['tenant_id']}",
            f"    Client ID:      {app['client_id']}",
            f"    Client secret:  {app['client_secret']}",
            "    Demo users for 'Sign in with Microsoft': "
            + ", ".join(f"{u['username']} / {u['password']}" for u in tenant.get("users", [])[:2]),
        ]
    lines += ["  Press Ctrl-C to stop web, worker, beat and the emulator.", "=" * 72, ""]
    print("\n".join(lines), flush=True)


if __name__ == "__main__":
    main()
