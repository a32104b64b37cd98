"""Sign-in throttling on /login/ and /operator/login/ (django-axes with the portal's handler): an account is locked
from the address that failed, an address is locked, an account alone is only slowed down, and nobody can keep a
named administrator out. Operators see and lift locks."""

import logging
from datetime import timedelta
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from organizations.models import SignInFailureCount
from tests.helpers.factories import ADMIN_PASSWORD

pytestmark = pytest.mark.django_db
WRONG = "Wrong-Passw0rd-guess"


@pytest.fixture(autouse=True)
def _policy(settings):
    settings.LOGIN_FAILURE_LIMIT = 5
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 30
    settings.LOGIN_LOCKOUT = timedelta(minutes=15)
    settings.LOGIN_SLOWDOWN_MAX_SECONDS = 3.0
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # floods of hashing stay quick


@pytest.fixture
def operator(db):
    return get_user_model().objects.create_superuser("operator", "op@example.com", ADMIN_PASSWORD)


def sign_in(client, username, password, ip="198.51.100.7", url=None, **extra):
    return client.post(url or reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip,
                       **extra)


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def flood(client, username, addresses, per_address=5):
    for n in range(addresses):
        for _ in range(per_address):
            sign_in(client, username, WRONG, ip=f"203.0.113.{n + 1}")


def test_five_wrong_passwords_lock_the_account_from_that_address(client, admin_user):
    for n in range(4):
        assert sign_in(client, admin_user.username, WRONG).status_code == 200, n
    locked = sign_in(client, admin_user.username, WRONG)
    assert locked.status_code == 429
    response = sign_in(client, admin_user.username, ADMIN_PASSWORD)
    assert response.status_code == 429 and not signed_in(client)
    body = response.content.decode()
    assert "Too many failed sign-in attempts for this account from your network" in body
    assert "15 minutes" in body


def test_below_the_limit_the_right_password_still_signs_in(client, admin_user):
    for _ in range(4):
        assert sign_in(client, admin_user.username, WRONG).status_code == 200
    assert sign_in(client, admin_user.username, ADMIN_PASSWORD).status_code == 302
    assert signed_in(client)
    assert not SignInFailureCount.objects.filter(kind="account_address").exists()  # success clears it


def test_a_flood_from_other_addresses_never_keeps_the_admin_out(client, admin_user):
    flood(client, admin_user.username, addresses=40)  # 200 wrong passwords from 40 addresses
    failures = SignInFailureCount.objects.get(kind="account", username=admin_user.username).failures
    assert 40 <= failures <= 50  # one per new address; the others were refused (spaced out) before hashing
    response = sign_in(client, admin_user.username, ADMIN_PASSWORD, ip="192.0.2.50")  # an address that has not failed
    assert response.status_code == 302 and signed_in(client)


def test_an_account_under_attack_is_slowed_down_for_addresses_that_failed_not_locked(client, admin_user):
    answers = [sign_in(client, admin_user.username, WRONG, ip=f"203.0.113.{1 + n // 3}").status_code
               for n in range(9)]
    assert answers[:5] == [200] * 5 and 429 in answers[5:]  # after 5 failures, failed addresses are spaced out
    refused = sign_in(client, admin_user.username, ADMIN_PASSWORD, ip="203.0.113.1")
    assert refused.status_code == 429 and not signed_in(client)
    assert 1 <= int(refused["Retry-After"]) <= 3  # seconds, growing, capped at LOGIN_SLOWDOWN_MAX_SECONDS
    assert "Too many failed sign-in attempts for this account. Wait" in refused.content.decode()
    account = SignInFailureCount.objects.get(kind="account")
    account.last_failure_at -= timedelta(seconds=3)  # the wait is over
    account.save()
    assert sign_in(client, admin_user.username, ADMIN_PASSWORD, ip="203.0.113.1").status_code == 302


def test_refused_attempts_do_not_extend_the_lock_and_it_ends(client, admin_user):
    for _ in range(5):
        sign_in(client, admin_user.username, WRONG)
    row = SignInFailureCount.objects.get(kind="account_address")
    for _ in range(20):
        assert sign_in(client, admin_user.username, WRONG).status_code == 429
    row_after = SignInFailureCount.objects.get(pk=row.pk)
    assert (row_after.failures, row_after.locked_until) == (5, row.locked_until)
    past = timezone.now() - timedelta(seconds=1)
    SignInFailureCount.objects.update(locked_until=past, expires_at=past)  # the lock's 15 minutes are over
    assert sign_in(client, admin_user.username, ADMIN_PASSWORD).status_code == 302


def test_an_address_is_locked_across_usernames_and_others_are_not(client, admin_user):
    for n in range(30):
        sign_in(client, f"guess{n}", WRONG, ip="203.0.113.9")
    response = sign_in(client, admin_user.username, ADMIN_PASSWORD, ip="203.0.113.9")
    assert response.status_code == 429
    assert "from your network" in response.content.decode()
    assert sign_in(client, admin_user.username, ADMIN_PASSWORD, ip="192.0.2.80").status_code == 302


def test_operator_login_is_throttled_too(client, operator):
    url = reverse("admin:login")
    for _ in range(5):
        sign_in(client, "operator", WRONG, url=url)
    response = sign_in(client, "operator", ADMIN_PASSWORD, url=url)
    assert response.status_code == 429
    assert not signed_in(client)


def test_a_locked_out_attempt_never_reaches_password_hashing(client, admin_user):
    for _ in range(5):
        sign_in(client, admin_user.username, WRONG)
    with mock.patch.object(ModelBackend, "authenticate", autospec=True) as backend, \
            mock.patch("django.contrib.auth.hashers.check_password") as check_password:
        for _ in range(20):
            assert sign_in(client, admin_user.username, WRONG).status_code == 429
    assert backend.call_count == 0
    assert check_password.call_count == 0


def test_every_failed_sign_in_is_logged_with_the_client_address_and_without_the_password(client, admin_user, caplog,
                                                                                           settings):
    settings.TRUSTED_PROXY_COUNT = 1
    with caplog.at_level(logging.WARNING):
        for _ in range(3):
            sign_in(client, admin_user.username, "Secret-Guess-XYZ", ip="10.0.0.2",
                    HTTP_X_FORWARDED_FOR="203.0.113.44")
    failures = [r.getMessage() for r in caplog.records if "login failure" in r.getMessage().lower()]
    assert len(failures) == 3
    assert all(admin_user.username in m and "203.0.113.44" in m for m in failures)
    assert "10.0.0.2" not in caplog.text
    assert "Secret-Guess-XYZ" not in caplog.text


def test_behind_a_proxy_clients_are_told_apart_by_forwarded_for(client, admin_user, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = "10.0.0.2"
    for _ in range(5):
        sign_in(client, admin_user.username, WRONG, ip=proxy, HTTP_X_FORWARDED_FOR="203.0.113.66")
    # A spoofed left-most entry does not escape: the proxy appends the real address on the right.
    spoofed = sign_in(client, admin_user.username, ADMIN_PASSWORD, ip=proxy,
                      HTTP_X_FORWARDED_FOR="192.0.2.1, 203.0.113.66")
    assert spoofed.status_code == 429
    other = sign_in(client, admin_user.username, ADMIN_PASSWORD, ip=proxy, HTTP_X_FORWARDED_FOR="198.51.100.20")
    assert other.status_code == 302  # the same admin from another office behind the same proxy


# -- operators ---------------------------------------------------------------------------------------------------
def test_unlock_sign_in_clears_the_account_and_prints_what_it_cleared(client, admin_user, capsys):
    flood(client, admin_user.username, addresses=2)
    call_command("unlock_sign_in", admin_user.username)  # raises (exit != 0) on any error
    out = capsys.readouterr().out
    assert f"Cleared 3 for {admin_user.username}:" in out
    assert "203.0.113.1" in out and "203.0.113.2" in out and "locked until" in out
    assert f"{admin_user.username} from any address: 6 failures, counting" in out  # the 2nd address was spaced out
    assert sign_in(client, admin_user.username, ADMIN_PASSWORD, ip="203.0.113.1").status_code == 302
    call_command("unlock_sign_in", "nobody-here")
    assert "Nothing to clear for nobody-here" in capsys.readouterr().out


def test_unlock_sign_in_lifts_an_address(client, admin_user, capsys):
    for n in range(30):
        sign_in(client, f"guess{n}", WRONG, ip="203.0.113.9")
    call_command("unlock_sign_in", "--address", "203.0.113.9")
    assert "address 203.0.113.9, any account: 30 failures, locked until" in capsys.readouterr().out
    assert sign_in(client, admin_user.username, ADMIN_PASSWORD, ip="203.0.113.9").status_code == 302


def test_axes_reset_commands_work_on_these_locks(client, admin_user, capsys):
    flood(client, admin_user.username, addresses=1)
    call_command("axes_reset_username", admin_user.username)
    assert "2 attempts removed." in capsys.readouterr().out  # its lock from that address, and its count
    flood(client, admin_user.username, addresses=1)
    call_command("axes_reset")  # was NotImplementedError with axes' cache handler
    assert "3 attempts removed." in capsys.readouterr().out
    assert not SignInFailureCount.objects.exists()


def test_the_operator_console_lists_locks_and_unlocks_them(client, admin_user, operator):
    flood(client, admin_user.username, addresses=1)
    client.force_login(operator)
    index = client.get("/operator/").content.decode()
    assert "Sign-in locks and failure counts" in index
    assert "Access attempts" not in index  # axes' own (always empty) tables are gone
    listing = client.get("/operator/organizations/signinfailurecount/?state=locked")
    body = listing.content.decode()
    assert listing.status_code == 200 and admin_user.username in body and "203.0.113.1" in body
    assert "Locked until" in body
    rows = list(SignInFailureCount.objects.values_list("pk", flat=True))
    response = client.post("/operator/organizations/signinfailurecount/",
                           {"action": "unlock", "_selected_action": rows}, follow=True)
    assert "Cleared 3" in response.content.decode()
    assert not SignInFailureCount.objects.exists()
    client.logout()
    assert sign_in(client, admin_user.username, ADMIN_PASSWORD, ip="203.0.113.1").status_code == 302
