"""The UC Client's PBX password sign-in shares the portal's throttle, and every limiter and sign-in log reads the
client's real address behind TRUSTED_PROXY_COUNT reverse proxies (pbx_portal.http.client_ip)."""

import pytest
from django.test import RequestFactory

from pbx_portal.http import client_ip
from sso.models import SignInEvent
from sso.services import uc_password_set
from tests.helpers.factories import make_extension

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]  # token endpoint counters
PROXY = "10.0.0.2"
BOB_PASSWORD = "Bob-Pbx-Passw0rd"


@pytest.fixture(autouse=True)
def _policy(settings):
    settings.LOGIN_FAILURE_LIMIT = 5
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 30
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def bob(organization, admin_user):
    extension = make_extension(organization, email="bob@contoso.example")
    uc_password_set(extension=extension, password=BOB_PASSWORD, actor=admin_user)
    return extension


def uc_sign_in(client, email, password, ip, forwarded=None):
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}
    return client.post("/uc/login/password/", {"email": email, "password": password}, REMOTE_ADDR=ip, **extra)


def test_a_flood_from_other_addresses_never_keeps_a_uc_user_out(client, bob):
    for n in range(40):
        for _ in range(5):
            uc_sign_in(client, "bob@contoso.example", "guess", ip=f"203.0.113.{n + 1}")
    response = uc_sign_in(client, "Bob@Contoso.example", BOB_PASSWORD, ip="192.0.2.50")
    assert response["Location"] == "/uc/"
    slowed = uc_sign_in(client, "bob@contoso.example", BOB_PASSWORD, ip="203.0.113.40")  # a flooding address
    assert slowed.status_code == 429 and int(slowed["Retry-After"]) >= 1


def test_five_wrong_uc_passwords_lock_that_address_only(client, bob):
    for _ in range(5):
        assert uc_sign_in(client, "bob@contoso.example", "guess", ip="203.0.113.5").status_code == 400
    assert uc_sign_in(client, "bob@contoso.example", BOB_PASSWORD, ip="203.0.113.5").status_code == 429
    assert uc_sign_in(client, "bob@contoso.example", BOB_PASSWORD, ip="203.0.113.6")["Location"] == "/uc/"


def test_behind_a_proxy_one_attacker_does_not_lock_every_uc_user_out(client, bob, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for n in range(31):
        uc_sign_in(client, f"user{n}@contoso.example", "guess", ip=PROXY, forwarded="203.0.113.66")
    assert uc_sign_in(client, "bob@contoso.example", BOB_PASSWORD, ip=PROXY,
                      forwarded="203.0.113.66").status_code == 429  # the attacker's address is locked
    ok = uc_sign_in(client, "bob@contoso.example", BOB_PASSWORD, ip=PROXY, forwarded="198.51.100.20")
    assert ok["Location"] == "/uc/"
    addresses = set(SignInEvent.objects.values_list("ip_address", flat=True))
    assert addresses == {"203.0.113.66", "198.51.100.20"}  # the sign-in log has the real addresses


def test_the_token_endpoint_limits_each_client_behind_a_proxy(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.UC_TOKEN_RATE_LIMIT = {"ip": 3, "account": 10, "window": 60}
    form = {"grant_type": "refresh_token", "refresh_token": "ucr_x"}
    attacker = [client.post("/api/uc/token", form, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.66").status_code
                for _ in range(4)]
    assert attacker == [400, 400, 400, 429]
    other = client.post("/api/uc/token", {"grant_type": "refresh_token", "refresh_token": "ucr_y"}, REMOTE_ADDR=PROXY,
                        HTTP_X_FORWARDED_FOR="198.51.100.20")
    assert other.status_code == 400  # an invalid token, not slow_down: another client is not limited


@pytest.mark.parametrize(("proxies", "remote", "forwarded", "expected"), [
    (0, "198.51.100.1", "203.0.113.9", "198.51.100.1"),          # no proxy trusted: the header is ignored
    (1, PROXY, "192.0.2.1, 203.0.113.9", "203.0.113.9"),         # the right-most entry, the proxy's own
    (2, PROXY, "192.0.2.1, 203.0.113.9, 10.0.0.1", "203.0.113.9"),
    (2, PROXY, "203.0.113.9", PROXY),                             # fewer hops than proxies: the connecting address
    (1, PROXY, "203.0.113.9:51234", "203.0.113.9"),               # a proxy that appends the port
    (1, PROXY, "[2001:db8::7]:443", "2001:db8::7"),
    (1, PROXY, "not-an-address", PROXY),
    (1, PROXY, "", PROXY),
])
def test_client_ip(settings, proxies, remote, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = proxies
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


def test_sso_refusals_of_admins_and_uc_users_log_the_real_address(settings, rf):
    from sso import refusals
    from sso.callback import refuse

    settings.TRUSTED_PROXY_COUNT = 1
    for channel in ("admin", "uc_web"):
        request = rf.get("/sso/microsoft/callback/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.77")
        refuse(request, refusals.bad_state(), organization=None, channel=channel)
    assert list(SignInEvent.objects.values_list("channel", "ip_address")) == [("uc_web", "203.0.113.77"),
                                                                              ("admin", "203.0.113.77")]
