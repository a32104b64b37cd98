"""python -m emulator --host 127.0.0.1 --port PORT --data-dir DIR [--users N] [--groups G] [--seed S]"""

import argparse
import logging
import signal
import sys
import time
from pathlib import Path


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m emulator",
        description="Microsoft Entra ID + Microsoft Graph v1.0 emulator over HTTPS. Writes DIR/ca.pem (trust it "
                    "with MICROSOFT_CA_BUNDLE) and DIR/tenant.json (tenant id, app registration, demo sign-ins).")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8443, help="TCP port; 0 picks a free one (default: 8443)")
    parser.add_argument("--data-dir", required=True, type=Path,
                        help="directory for ca.pem, ca-key.pem and tenant.json (created if missing)")
    parser.add_argument("--users", type=int, default=250, help="number of seeded users (default: 250)")
    parser.add_argument("--groups", type=int, default=5, help="number of seeded groups (default: 5)")
    parser.add_argument("--seed", type=int, default=1, help="seed for the deterministic demo data (default: 1)")
    parser.add_argument("--tenant-id", help="tenant id (GUID); default derived from --seed")
    parser.add_argument("--tenant-domain", default="contoso.example",
                        help="verified domain; also accepted as the tenant segment (default: contoso.example)")
    parser.add_argument("--client-id", help="app registration client id; default derived from --seed")
    parser.add_argument("--client-secret", help="app registration client secret; default derived from --seed")
    parser.add_argument("--redirect-uri", action="append", default=[], metavar="URI",
                        help="extra redirect URI for the app registration (repeatable)")
    parser.add_argument("--shared-contacts", type=int, default=30,
                        help="contacts in the seeded shared mailbox (default: 30)")
    parser.add_argument("--throttle-limit", type=int, default=None,
                        help="Graph requests per app per window before 429 (default: off)")
    parser.add_argument("--throttle-window", type=float, default=10.0,
                        help="throttling sliding window in seconds (default: 10)")
    parser.add_argument("--token-lifetime", type=int, default=3599, help="access token lifetime in seconds")
    parser.add_argument("--allow-http-notifications", action="store_true",
                        help="let change-notification subscriptions use http://127.0.0.1 (or localhost) URLs; "
                             "without it only https URLs are accepted, as in Graph")
    parser.add_argument("--notification-ca", metavar="FILE",
                        help="CA bundle to trust for https notification URLs (default: the system bundle)")
    parser.add_argument("--verbose", action="store_true", help="log every request")
    return parser


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s %(message)s")
    from emulator.config import EmulatorConfig
    from emulator.server import EmulatorServer

    config = EmulatorConfig(
        data_dir=args.data_dir, host=args.host, port=args.port, users=args.users, groups=args.groups,
        seed=args.seed, tenant_id=args.tenant_id, tenant_domain=args.tenant_domain, client_id=args.client_id,
        client_secret=args.client_secret, redirect_uris=args.redirect_uri, shared_contacts=args.shared_contacts,
        throttle_limit=args.throttle_limit, throttle_window=args.throttle_window,
        token_lifetime=args.token_lifetime, quiet=not args.verbose,
        allow_http_notifications=args.allow_http_notifications, notification_ca=args.notification_ca)
    started = time.monotonic()
    server = EmulatorServer(config).start(background=False)
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    print(f"Entra/Graph emulator listening on {server.base_url} (tenant {server.tenant['tenant_id']}, "
          f"{config.users} users, started in {time.monotonic() - started:.2f}s)", flush=True)
    print(f"  MICROSOFT_AUTHORITY_HOST={server.base_url}", flush=True)
    print(f"  MICROSOFT_GRAPH_URL={server.base_url}", flush=True)
    print(f"  MICROSOFT_CA_BUNDLE={server.ca_path.resolve()}", flush=True)
    print(f"  tenant.json: {(server.data_dir / 'tenant.json').resolve()}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
