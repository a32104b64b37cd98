"""Bounded load test: the Extensions list under 20 concurrent clients, alone and during a wrong-password flood.

Loopback only, fixed request counts and a time limit per phase; it stops by itself. It runs the portal the way
production does: gunicorn with 2 sync workers behind one (simulated) reverse proxy (TRUSTED_PROXY_COUNT=1),
DEBUG=false, PostgreSQL (a database of its own, dropped and recreated) and Redis (a db of its own, flushed). Prints
p50/p95 of the list page per phase, and for the flood phases how the admin's own sign-ins fared:

  1. baseline          20 clients read /extensions/
  2. flood             the same, while FLOOD_THREADS threads post wrong passwords to /login/ from one address
  3. flood, N addrs    the same flood spread over FLOOD_ADDRESSES addresses (X-Forwarded-For), all at the admin's
                       username; meanwhile the admin signs in SIGN_INS times with the right password, each time from
                       an address that has not failed: every one must succeed, quickly
  4. flood, no guard   the one-address flood with the sign-in throttle switched off (LOGIN_THROTTLE=false)

    .venv/bin/python bench/login_flood.py
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_login_flood BENCH_REDIS_URL=redis://127.0.0.1:6379/13
"""

import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import environ
import psycopg
import redis
import requests
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bench_login_flood")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")
PORT = int(os.environ.get("BENCH_PORT", "8731"))
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "20"))
REQUESTS_PER_CLIENT = int(os.environ.get("BENCH_REQUESTS", "20"))
FLOOD_THREADS = int(os.environ.get("FLOOD_THREADS", "10"))
FLOOD_ADDRESSES = int(os.environ.get("FLOOD_ADDRESSES", "500"))
SIGN_INS = int(os.environ.get("SIGN_INS", "10"))
PHASE_TIME_LIMIT = float(os.environ.get("BENCH_TIME_LIMIT", "90"))
EXTENSIONS = int(os.environ.get("BENCH_EXTENSIONS", "500"))
BASE = f"http://127.0.0.1:{PORT}"
USERNAME, PASSWORD = "bench-admin", "Bench-Passw0rd-Correct!"

SEED = f"""
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from extensions.models import Extension
from organizations.services import organization_create
org, user = organization_create(name="Bench Org", admin_username="{USERNAME}", admin_password="{PASSWORD}")
Extension.objects.bulk_create([Extension(organization=org, number=str(1000 + n), display_name=f"User {{n}}",
    email=f"user{{n}}@bench.example", department="Sales") for n in range({EXTENSIONS})])
session = SessionStore()
session[SESSION_KEY] = str(user.pk)
session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
session[HASH_SESSION_KEY] = user.get_session_auth_hash()
session.create()
print("SESSION", session.session_key)
"""


def production_env(var_dir: str, static_root: str, throttle: bool) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "REDIS_", "CELERY_", "SECURE_"))}
    env.update(
        DEBUG="false", SECRET_KEY="bench-" + "k" * 50, FIELD_ENCRYPTION_KEY=Fernet.generate_key().decode(),
        DATABASE_URL=DATABASE_URL, REDIS_URL=REDIS_URL, ALLOWED_HOSTS="127.0.0.1", PUBLIC_BASE_URL=BASE,
        SECURE_SSL_REDIRECT="false", SECURE_HSTS_SECONDS="0", PORTAL_VAR_DIR=var_dir, STATIC_ROOT=static_root,
        LOG_LEVEL="ERROR", LOGIN_THROTTLE="true" if throttle else "false", TRUSTED_PROXY_COUNT="1",
        DJANGO_SETTINGS_MODULE="pbx_portal.settings",
    )
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return env


def fresh_database_and_redis() -> None:
    config = environ.Env.db_url_config(DATABASE_URL)
    name = config["NAME"]
    if not re.fullmatch(r"bench_\w+", name):
        raise SystemExit(f"refusing to drop {name!r}: the bench database name must start with bench_")
    with psycopg.connect(host=config["HOST"], port=config["PORT"] or 5432, user=config["USER"],
                         password=config["PASSWORD"] or None, dbname="postgres", autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name}")
        admin.execute(f"CREATE DATABASE {name}")
    redis.Redis.from_url(REDIS_URL).flushdb()


def manage(env, *args) -> str:
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True,
                          capture_output=True, text=True, timeout=300).stdout


def start_gunicorn(env) -> subprocess.Popen:
    log = open(Path(env["PORTAL_VAR_DIR"]) / "gunicorn.log", "ab")  # stays open as long as the server runs
    server = subprocess.Popen(
        [str(BIN / "gunicorn"), "pbx_portal.wsgi:application", "--workers", "2", "--bind", f"127.0.0.1:{PORT}",
         "--timeout", "30", "--log-level", "warning"],
        cwd=ROOT, env=env, stdout=log, stderr=log, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{BASE}/healthz", timeout=5).status_code == 200:
                return server
        except requests.RequestException:
            pass
        time.sleep(0.5)
    stop(server)
    raise SystemExit("gunicorn did not become healthy")


def stop(server: subprocess.Popen) -> None:
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()


def list_client(session_key, deadline, latencies, errors):
    headers = {"Cookie": f"sessionid={session_key}"}
    with requests.Session() as http:
        for _ in range(REQUESTS_PER_CLIENT):
            if time.monotonic() > deadline:
                return
            started = time.perf_counter()
            try:
                response = http.get(f"{BASE}/extensions/", headers=headers, timeout=30, allow_redirects=False)
                ok = response.status_code == 200 and "User 1" in response.text
            except requests.RequestException:
                ok = False
            (latencies if ok else errors).append(time.perf_counter() - started)


def _login_form(http: requests.Session) -> tuple[str, dict]:
    page = http.get(f"{BASE}/login/", timeout=30)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    # The CSRF cookie is Secure in production; send it by hand over loopback HTTP.
    cookie = re.search(r"csrftoken=([^;]+)", page.headers["Set-Cookie"]).group(1)
    return token, {"Origin": BASE, "Referer": f"{BASE}/login/", "Cookie": f"csrftoken={cookie}"}


def flood_client(stop_event, deadline, outcomes, addresses: int, first: int):
    """Wrong passwords for the admin's username, from one address (addresses=0) or cycling through many."""
    with requests.Session() as http:
        token, headers = _login_form(http)
        n = first
        while not stop_event.is_set() and time.monotonic() < deadline:
            if addresses:
                n += 1
                headers["X-Forwarded-For"] = f"203.0.{(n % addresses) // 250}.{(n % addresses) % 250 + 1}"
            try:
                response = http.post(f"{BASE}/login/", data={"username": USERNAME, "password": "wrong-guess",
                                                            "csrfmiddlewaretoken": token},
                                     headers=headers, timeout=30, allow_redirects=False)
                outcomes.append(response.status_code)
            except requests.RequestException:
                outcomes.append(0)


def admin_sign_ins(stop_event, results):
    """The admin signs in with the right password, each time from a new address that has not failed."""
    for n in range(SIGN_INS):
        if stop_event.wait(1.0):
            return
        with requests.Session() as http:
            token, headers = _login_form(http)
            headers["X-Forwarded-For"] = f"198.51.100.{n + 1}"
            started = time.perf_counter()
            try:
                response = http.post(f"{BASE}/login/", data={"username": USERNAME, "password": PASSWORD,
                                                            "csrfmiddlewaretoken": token},
                                     headers=headers, timeout=30, allow_redirects=False)
                ok = response.status_code == 302 and response.headers.get("Location", "").startswith("/extensions")
            except requests.RequestException:
                ok = False
            results.append((ok, time.perf_counter() - started))


def phase(session_key, flood: str) -> dict:
    """flood: "" (none), "one" (one address) or "many" (FLOOD_ADDRESSES addresses)."""
    latencies, errors, outcomes, sign_ins = [], [], [], []
    deadline = time.monotonic() + PHASE_TIME_LIMIT
    stop_event = threading.Event()
    addresses = FLOOD_ADDRESSES if flood == "many" else 0
    flooders = [threading.Thread(target=flood_client, args=(stop_event, deadline, outcomes, addresses, i * 7919))
                for i in range(FLOOD_THREADS if flood else 0)]
    if flood:
        flooders.append(threading.Thread(target=admin_sign_ins, args=(stop_event, sign_ins)))
    for thread in flooders:
        thread.start()
    if flood:
        time.sleep(2)  # let the flood reach full strength first
    readers = [threading.Thread(target=list_client, args=(session_key, deadline, latencies, errors))
               for _ in range(CLIENTS)]
    started = time.monotonic()
    for thread in readers:
        thread.start()
    for thread in readers:
        thread.join()
    elapsed = time.monotonic() - started
    while flood and len(sign_ins) < SIGN_INS and time.monotonic() < deadline:
        time.sleep(0.2)
    stop_event.set()
    for thread in flooders:
        thread.join()
    latencies.sort()
    sign_in_seconds = sorted(seconds for _, seconds in sign_ins)
    return {
        "n": len(latencies), "errors": len(errors), "seconds": elapsed,
        "p50": statistics.median(latencies) * 1000 if latencies else float("nan"),
        "p95": latencies[max(0, int(len(latencies) * 0.95) - 1)] * 1000 if latencies else float("nan"),
        "logins": len(outcomes), "refused_429": sum(1 for code in outcomes if code == 429),
        "login_codes": sorted(set(outcomes)),
        "sign_ins": f"{sum(ok for ok, _ in sign_ins)}/{len(sign_ins)} ok, max "
                    f"{max(sign_in_seconds) * 1000:.0f} ms" if sign_ins else "-",
    }


def run(throttle: bool, session_key: str, env_dirs, phases) -> dict:
    env = production_env(*env_dirs, throttle=throttle)
    redis.Redis.from_url(REDIS_URL).flushdb()
    manage(env, "axes_reset")  # no lockout or failure count carried over between phases
    server = start_gunicorn(env)
    try:
        return {name: phase(session_key, flood) for name, flood in phases}
    finally:
        stop(server)


def main() -> None:
    var_dir, static_root = tempfile.mkdtemp(prefix="bench-flood-"), tempfile.mkdtemp(prefix="bench-static-")
    fresh_database_and_redis()
    env = production_env(var_dir, static_root, throttle=True)
    manage(env, "migrate", "--noinput")
    manage(env, "collectstatic", "--noinput")
    session_key = re.search(r"SESSION (\w+)", manage(env, "shell", "-c", SEED)).group(1)
    print(f"gunicorn 2 workers, DEBUG=false, PostgreSQL + Redis on loopback; {EXTENSIONS} extensions; "
          f"{CLIENTS} clients x {REQUESTS_PER_CLIENT} list requests; flood: {FLOOD_THREADS} threads of wrong "
          f"passwords; limit {PHASE_TIME_LIMIT:.0f} s per phase")
    results = run(True, session_key, (var_dir, static_root), [("baseline", ""), ("flood", "one")])
    results.update(run(True, session_key, (var_dir, static_root), [(f"flood, {FLOOD_ADDRESSES} addrs", "many")]))
    results.update({"flood, no throttle": run(False, session_key, (var_dir, static_root),
                                              [("x", "one")])["x"]})
    print(f"{'phase':<20}{'list p50 ms':>12}{'list p95 ms':>12}{'requests':>10}{'errors':>8}{'logins':>8}"
          f"{'429s':>7}  admin's own sign-ins")
    for name, r in results.items():
        print(f"{name:<20}{r['p50']:>12.1f}{r['p95']:>12.1f}{r['n']:>10}{r['errors']:>8}{r['logins']:>8}"
              f"{r['refused_429']:>7}  {r['sign_ins']}  (flood answers: {r['login_codes']})")
    ratio = results["flood"]["p95"] / results["baseline"]["p95"]
    print(f"flood / baseline p95 = {ratio:.2f}x (target < 2x); server log: {var_dir}/gunicorn.log")


if __name__ == "__main__":
    main()
