"""Django in a fresh interpreter (settings, production mode), with a controlled environment."""

import os
import subprocess
import sys

from cryptography.fernet import Fernet

from tests.helpers.paths import ROOT

PORTAL_VARS = (
    "DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND", "SECRET_KEY", "FIELD_ENCRYPTION_KEY",
    "DEBUG", "ALLOWED_HOSTS", "PUBLIC_BASE_URL", "MICROSOFT_AUTHORITY_HOST", "MICROSOFT_GRAPH_URL",
    "MICROSOFT_CA_BUNDLE",
)


PROD_ENV = {
    "DEBUG": "false", "SECRET_KEY": "p" * 20 + "R4nd0m-" + "q" * 30, "ALLOWED_HOSTS": "pbx.example.com",
    "PUBLIC_BASE_URL": "https://pbx.example.com", "REDIS_URL": "redis://127.0.0.1:6379/15",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/unused",
}


def subprocess_env(tmp_path, **overrides) -> dict:
    """The environment of a production-mode Django process (None removes a variable)."""
    env = {k: v for k, v in os.environ.items()
           if k not in PORTAL_VARS and not k.startswith(("SECURE_", "DATABASE_")) and k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update(PROD_ENV, FIELD_ENCRYPTION_KEY=Fernet.generate_key().decode(), PORTAL_VAR_DIR=str(tmp_path),
               DJANGO_SETTINGS_MODULE="pbx_portal.settings")
    env.update(overrides)
    return {k: v for k, v in env.items() if v is not None}


def run_django(tmp_path, code_or_args, **overrides):
    env = subprocess_env(tmp_path, **overrides)
    args = [sys.executable, "-c", code_or_args] if isinstance(code_or_args, str) else [sys.executable, *code_or_args]
    return subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False)
