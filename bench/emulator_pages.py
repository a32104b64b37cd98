"""Benchmark: how fast the Entra/Graph emulator serves a 100,000-user directory in pages of 999.

    .venv/bin/python bench/emulator_pages.py [--users 100000] [--top 999]

Starts `python -m emulator` in a subprocess, reports its startup time, then pages through
/v1.0/users?$top=999 with a typical sync $select (one keep-alive connection, like a sync) and prints
pages/second, users/second and the number of distinct users seen (must equal --users).
"""

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
SELECT = ("id,displayName,givenName,surname,mail,userPrincipalName,accountEnabled,userType,businessPhones,"
          "mobilePhone,jobTitle,department,employeeId,onPremisesExtensionAttributes")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--top", type=int, default=999)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        started = time.monotonic()
        proc = subprocess.Popen([sys.executable, "-m", "emulator", "--port", "0", "--data-dir", tmp,
                                 "--users", str(args.users)], cwd=ROOT, stdout=subprocess.PIPE, text=True)
        try:
            line = proc.stdout.readline()
            if "listening on" not in line:
                print(f"emulator failed to start: {line!r}", file=sys.stderr)
                return 1
            base_url = line.split("listening on ")[1].split()[0]
            tenant = json.loads((Path(tmp) / "tenant.json").read_text())
            ca = str(Path(tmp) / "ca.pem")
            with requests.Session() as http:
                http.get(f"{base_url}/_emulator/state", verify=ca, timeout=30).raise_for_status()
                startup = time.monotonic() - started
                token = http.post(f"{tenant['authority_host']}/{tenant['tenant_id']}/oauth2/v2.0/token", data={
                    "grant_type": "client_credentials", "client_id": tenant["app"]["client_id"],
                    "client_secret": tenant["app"]["client_secret"], "scope": "https://graph.microsoft.com/.default",
                }, verify=ca, timeout=30).json()["access_token"]
                headers = {"Authorization": f"Bearer {token}"}
                url = f"{base_url}/v1.0/users?$top={args.top}&$select={SELECT}"
                seen, pages, total_bytes = set(), 0, 0
                t0 = time.monotonic()
                while url:
                    resp = http.get(url, headers=headers, verify=ca, timeout=60)
                    resp.raise_for_status()
                    total_bytes += len(resp.content)
                    body = resp.json()
                    seen.update(u["id"] for u in body["value"])
                    pages += 1
                    url = body.get("@odata.nextLink")
                elapsed = time.monotonic() - t0
        finally:
            proc.terminate()
            proc.wait(timeout=10)
    print(f"emulator startup ({args.users} users): {startup:.2f} s")
    print(f"pages of {args.top}: {pages} in {elapsed:.2f} s -> {pages / elapsed:.1f} pages/s")
    print(f"users/second: {len(seen) / elapsed:,.0f}  ({total_bytes / elapsed / 1e6:.1f} MB/s of JSON)")
    verdict = "OK" if len(seen) == args.users else "MISMATCH"
    print(f"distinct users seen: {len(seen)} (expected {args.users}) -> {verdict}")
    return 0 if len(seen) == args.users else 1


if __name__ == "__main__":
    sys.exit(main())
