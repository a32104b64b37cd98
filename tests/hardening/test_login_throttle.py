"""Sign-in throttling on /login/ and /operator/login/: per username and per client IP, before password hashing."""

import logging
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.urls import reverse

from tests.factories import ADMIN_PASSWORD

pytestmark = pytest.mark.django_db
WRONG = "Wrong-Passw0rd-guess"


@pytest.fixture(autouse=True)
def _fresh_counts(settings):
    settings.AXES_FAILURE_LIMIT = 5
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def operator(db):
    return get_user_model().objects.create_superuser("operator", "op@example.com", ADMIN_PASSWORD)


def sign_in(client, url, username, password, ip="198.51.100.7"):
    return client.post(url, {"username": username, "password": password}, REMOTE_ADDR=ip)


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_fifty_wrong_passwords_then_the_right_one_is_refused_on_login(client, admin_user):
    for _ in range(50):
        sign_in(client, reverse("login"), admin_user.username, WRONG)
    response = sign_in(client, reverse("login"), admin_user.username, ADMIN_PASSWORD)
    assert response.status_code == 429
    assert not signed_in(client)
    body = response.content.decode()
    assert "Too many failed sign-in attempts" in body
    assert "15 minutes" in body


def test_operator_login_is_throttled_too(client, operator):
    url = reverse("admin:login")
    for _ in range(5):
        sign_in(client, url, "operator", WRONG)
    response = sign_in(client, url, "operator", ADMIN_PASSWORD)
    assert response.status_code == 429
    assert not signed_in(client)


def test_below_the_limit_the_right_password_still_signs_in(client, admin_user):
    for _ in range(4):
        assert sign_in(client, reverse("login"), admin_user.username, WRONG).status_code == 200
    response = sign_in(client, reverse("login"), admin_user.username, ADMIN_PASSWORD)
    assert response.status_code == 302
    assert signed_in(client)


def test_keyed_on_username_across_ip_addresses(client, admin_user):
    for n in range(5):
        sign_in(client, reverse("login"), admin_user.username, WRONG, ip=f"203.0.113.{n + 1}")
    response = sign_in(client, reverse("login"), admin_user.username, ADMIN_PASSWORD, ip="192.0.2.50")
    assert response.status_code == 429
    assert not signed_in(client)


def test_keyed_on_client_ip_across_usernames(client, admin_user):
    for n in range(5):
        sign_in(client, reverse("login"), f"guess{n}", WRONG, ip="203.0.113.9")
    response = sign_in(client, reverse("login"), admin_user.username, ADMIN_PASSWORD, ip="203.0.113.9")
    assert response.status_code == 429
    # Another admin elsewhere is not affected.
    other = sign_in(client, reverse("login"), admin_user.username, ADMIN_PASSWORD, ip="192.0.2.80")
    assert other.status_code == 302


def test_a_locked_out_attempt_never_reaches_password_hashing(client, admin_user):
    for _ in range(5):
        sign_in(client, reverse("login"), admin_user.username, WRONG)
    with mock.patch.object(ModelBackend, "authenticate", autospec=True) as backend, \
            mock.patch("django.contrib.auth.hashers.check_password") as check_password:
        for _ in range(20):
            assert sign_in(client, reverse("login"), admin_user.username, WRONG).status_code == 429
    assert backend.call_count == 0
    assert check_password.call_count == 0


def test_every_failed_sign_in_is_logged_without_the_password(client, admin_user, caplog):
    with caplog.at_level(logging.WARNING):
        for _ in range(3):
            sign_in(client, reverse("login"), admin_user.username, "Secret-Guess-XYZ", ip="203.0.113.44")
    failures = [r.getMessage() for r in caplog.records if "login failure" in r.getMessage().lower()]
    assert len(failures) == 3
    assert all(admin_user.username in m and "203.0.113.44" in m for m in failures)
    assert "Secret-Guess-XYZ" not in caplog.text


def test_behind_a_proxy_clients_are_told_apart_by_forwarded_for(client, admin_user, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = "10.0.0.2"
    for n in range(5):
        client.post(reverse("login"), {"username": f"guess{n}", "password": WRONG}, REMOTE_ADDR=proxy,
                    HTTP_X_FORWARDED_FOR="203.0.113.66")
    # A spoofed left-most entry does not escape: the proxy appends the real address on the right.
    spoofed = client.post(reverse("login"), {"username": "guess9", "password": WRONG}, REMOTE_ADDR=proxy,
                          HTTP_X_FORWARDED_FOR="192.0.2.1, 203.0.113.66")
    assert spoofed.status_code == 429
    other = client.post(reverse("login"), {"username": admin_user.username, "password": ADMIN_PASSWORD},
                        REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="198.51.100.20")
    assert other.status_code == 302  # another office behind the same proxy is not locked out
