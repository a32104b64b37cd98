"""Emulator options (the CLI and the pytest plugin both build one of these)."""

import dataclasses
from pathlib import Path


@dataclasses.dataclass
class EmulatorConfig:
    data_dir: Path
    host: str = "127.0.0.1"
    port: int = 0  # 0: pick a free port
    users: int = 250
    groups: int = 5
    seed: int = 1
    tenant_id: str | None = None
    tenant_domain: str = "contoso.example"
    client_id: str | None = None
    client_secret: str | None = None
    redirect_uris: list[str] = dataclasses.field(default_factory=list)
    shared_contacts: int = 30
    throttle_limit: int | None = None  # requests per app per window; None = off
    throttle_window: float = 10.0
    token_lifetime: int = 3599  # seconds
    quiet: bool = True
    allow_http_notifications: bool = False  # let subscriptions use http://127.0.0.1 notification URLs (tests, demo)
    notification_ca: str | None = None  # CA bundle trusted for https notification URLs (default: system bundle)
