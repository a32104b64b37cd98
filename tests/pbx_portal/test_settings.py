"""Settings defaults and production refusal, checked in fresh interpreters with a controlled environment."""

import json
import os
import subprocess
import sys

import pytest
from cryptography.fernet import Fernet

from tests.helpers.django_process import PORTAL_VARS
from tests.helpers.paths import ROOT

PROBE = (
    "import json, django; from django.conf import settings; django.setup(); "
    "print(json.dumps({'engine': settings.DATABASES['default']['ENGINE'], 'debug': settings.DEBUG, "
    "'broker': settings.CELERY_BROKER_URL, 'backend': settings.CELERY_RESULT_BACKEND, "
    "'cache': settings.CACHES['default']['BACKEND'], 'authority': settings.MICROSOFT_AUTHORITY_HOST, "
    "'graph': settings.MICROSOFT_GRAPH_URL, 'ca': settings.MICROSOFT_CA_BUNDLE, "
    "'time_limit': settings.CELERY_TASK_TIME_LIMIT, 'beat': sorted(settings.CELERY_BEAT_SCHEDULE), "
    "'keys': len(settings.FIELD_ENCRYPTION_KEYS)}))"
)


def run_settings(tmp_path, **overrides):
    env = {k: v for k, v in os.environ.items() if k not in PORTAL_VARS}
    env.update({"DJANGO_SETTINGS_MODULE": "pbx_portal.settings", "PORTAL_VAR_DIR": str(tmp_path)}, **overrides)
    return subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=60, check=False)


def test_no_environment_means_local_sqlite_filesystem_broker_and_debug(tmp_path):
    result = run_settings(tmp_path)
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["engine"] == "django.db.backends.sqlite3"
    assert values["debug"] is True
    assert values["broker"] == "filesystem://"
    assert values["backend"].startswith("file://")
    assert values["cache"].endswith("LocMemCache")
    assert values["authority"] == "https://login.microsoftonline.com"
    assert values["graph"] == "https://graph.microsoft.com"
    assert values["ca"] == ""
    assert values["time_limit"] == 1800
    assert "entra-credential-health" in values["beat"]
    # A local install gets its own keys, kept private in the var directory.
    assert (tmp_path / "field_encryption_key").stat().st_mode & 0o077 == 0
    assert (tmp_path / "secret_key").exists()


def test_environment_selects_postgres_redis_and_microsoft_endpoints(tmp_path):
    result = run_settings(
        tmp_path, DATABASE_URL="postgres://postgres@127.0.0.1:5432/test", REDIS_URL="redis://127.0.0.1:6379/3",
        MICROSOFT_AUTHORITY_HOST="https://127.0.0.1:9443/", MICROSOFT_GRAPH_URL="https://127.0.0.1:9443",
        MICROSOFT_CA_BUNDLE="/tmp/ca.pem",
    )
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["engine"] == "pbx_portal.postgresql"  # Django's backend with bounded round trips
    assert values["broker"] == "redis://127.0.0.1:6379/3"
    assert values["backend"] == "redis://127.0.0.1:6379/3"
    assert values["cache"].endswith("RedisCache")
    assert values["authority"] == "https://127.0.0.1:9443"
    assert values["ca"] == "/tmp/ca.pem"


def test_celery_broker_url_overrides_redis_url(tmp_path):
    result = run_settings(tmp_path, REDIS_URL="redis://127.0.0.1:6379/3", CELERY_BROKER_URL="amqp://guest@localhost//")
    assert json.loads(result.stdout)["broker"] == "amqp://guest@localhost//"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({}, "SECRET_KEY must be set"),
        ({"SECRET_KEY": "short"}, "SECRET_KEY must be set"),
        ({"SECRET_KEY": "x" * 50}, "FIELD_ENCRYPTION_KEY must be set"),
    ],
)
def test_production_refuses_to_start_without_real_keys(tmp_path, overrides, message):
    result = run_settings(tmp_path, DEBUG="false", ALLOWED_HOSTS="pbx.example.com", **overrides)
    assert result.returncode != 0
    assert message in result.stderr


def test_production_starts_with_real_keys_and_rotation_list(tmp_path):
    keys = f"{Fernet.generate_key().decode()},{Fernet.generate_key().decode()}"
    result = run_settings(tmp_path, DEBUG="false", SECRET_KEY="k" * 50, FIELD_ENCRYPTION_KEY=keys)
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["debug"] is False
    assert values["keys"] == 2
    assert not (tmp_path / "field_encryption_key").exists()


def test_production_refuses_a_malformed_encryption_key(tmp_path):
    result = run_settings(tmp_path, DEBUG="false", SECRET_KEY="k" * 50, FIELD_ENCRYPTION_KEY="not-a-fernet-key")
    assert result.returncode != 0
    assert "not a Fernet key" in result.stderr


def test_production_serves_hashed_compressed_static_files(tmp_path):
    env_keys = {"DEBUG": "false", "SECRET_KEY": "k" * 50, "FIELD_ENCRYPTION_KEY": Fernet.generate_key().decode(),
                "PORTAL_VAR_DIR": str(tmp_path)}
    env = {k: v for k, v in os.environ.items() if k not in PORTAL_VARS}
    env.update(env_keys, DJANGO_SETTINGS_MODULE="pbx_portal.settings")
    static_root = tmp_path / "static"
    probe = (f"import django; from django.conf import settings; settings.STATIC_ROOT = {str(static_root)!r}; "
             "django.setup(); from django.core.management import call_command; "
             "call_command('collectstatic', '--noinput', verbosity=0); "
             "from django.templatetags.static import static; print(static('css/portal.css'))")
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    hashed = result.stdout.strip()
    assert hashed.startswith("/static/css/portal.") and hashed.endswith(".css") and hashed != "/static/css/portal.css"
    assert (static_root / hashed.removeprefix("/static/")).exists()
    assert (static_root / (hashed.removeprefix("/static/") + ".gz")).exists()
