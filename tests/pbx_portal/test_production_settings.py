"""Production mode: `check --deploy` is clean, headers and sessions are strict, templates need no inline code."""

import json
import re

import pytest
from django.urls import reverse

from tests.helpers.django_process import run_django
from tests.helpers.paths import ROOT


def test_check_deploy_is_clean_in_production_settings(tmp_path):
    result = run_django(tmp_path, ["manage.py", "check", "--deploy", "--fail-level", "WARNING"])
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in output
    assert "WARNINGS" not in output


SETTINGS_PROBE = (
    "import json, django; from django.conf import settings as s; django.setup(); "
    "print(json.dumps({'hsts': s.SECURE_HSTS_SECONDS, 'ssl': s.SECURE_SSL_REDIRECT, "
    "'age': s.SESSION_COOKIE_AGE, 'close': s.SESSION_EXPIRE_AT_BROWSER_CLOSE, "
    "'db': s.DATABASES['default'].get('OPTIONS', {}), 'exempt': s.SECURE_REDIRECT_EXEMPT}))"
)


def test_production_defaults_hsts_ssl_redirect_and_working_day_sessions(tmp_path):
    result = run_django(tmp_path, SETTINGS_PROBE)
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["hsts"] >= 31536000
    assert values["ssl"] is True
    assert 8 * 3600 <= values["age"] <= 12 * 3600
    assert values["close"] is True
    assert values["db"]["connect_timeout"] <= 10
    assert re.search(r"-c statement_timeout=\d+", values["db"]["options"])
    # A silent peer is noticed by the kernel within seconds (libpq keywords).
    db = values["db"]
    assert db["keepalives"] == 1
    assert db["keepalives_idle"] + db["keepalives_interval"] * db["keepalives_count"] <= 10
    assert 1000 <= values["db"]["tcp_user_timeout"] <= 10_000
    assert any(re.match(pattern, "healthz") for pattern in values["exempt"])  # probes speak plain HTTP


def test_hsts_ssl_redirect_and_timeouts_come_from_the_environment(tmp_path):
    result = run_django(tmp_path, SETTINGS_PROBE, SECURE_SSL_REDIRECT="false", SECURE_HSTS_SECONDS="0",
                        DATABASE_CONNECT_TIMEOUT="3", DATABASE_STATEMENT_TIMEOUT="15s")
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["hsts"] == 0
    assert values["ssl"] is False
    assert values["db"]["connect_timeout"] == 3
    assert "-c statement_timeout=15s" in values["db"]["options"]


def test_local_development_has_no_hsts_and_no_redirect(tmp_path):
    result = run_django(tmp_path, SETTINGS_PROBE, DEBUG="true", DATABASE_URL=None, REDIS_URL=None)
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["hsts"] == 0 and values["ssl"] is False


@pytest.mark.django_db
def test_authenticated_pages_are_private_no_store_and_carry_a_strict_csp(admin_client):
    response = admin_client.get(reverse("extensions:list"))
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    csp = response["Content-Security-Policy"]
    assert "default-src 'none'" in csp
    assert "script-src 'self'" in csp and "style-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp


@pytest.mark.django_db
def test_login_page_carries_the_csp_too(client):
    response = client.get(reverse("login"))
    assert "script-src 'self'" in response["Content-Security-Policy"]


INLINE = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|\sstyle\s*=|\son[a-z]+\s*=", re.IGNORECASE)


def test_templates_have_no_inline_script_style_or_event_handlers():
    offenders = []
    for template in (ROOT / "templates").rglob("*.html"):
        for number, line in enumerate(template.read_text().splitlines(), 1):
            if INLINE.search(line):
                offenders.append(f"{template.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == []
