"""Sign-in throttling that an attacker cannot turn into a denial of service (OWASP ASVS V2.2.1).

Shared by the portal administrators' password sign-in (/login/ and /operator/login/, through django-axes, see
organizations.lockout) and the UC Client's PBX password sign-in (sso.views_uc). Failures are counted per realm:

- an account from one address: LOGIN_FAILURE_LIMIT failures lock that account *from that address*;
- an address, whatever the account: LOGIN_ADDRESS_FAILURE_LIMIT failures lock the address;
- an account from anywhere: never locked, only slowed down. Once it has LOGIN_FAILURE_LIMIT failures, attempts on
  it from addresses that have failed are spaced: the next one is accepted a growing delay after the account's last
  failure (a quarter second, doubling, at most LOGIN_SLOWDOWN_MAX_SECONDS); an earlier one is refused with
  Retry-After, before any password is hashed. Nothing sleeps in a web worker, so a flood cannot tie the portal up,
  and an address that has not failed signs in at once whatever the flood.

Failures count within LOGIN_LOCKOUT (a window from the first failure); a lock lasts LOGIN_LOCKOUT from the
failure that set it. Refused attempts are not counted and never extend a lock. A successful sign-in clears its
account-from-this-address count. Counts live in the database (SignInFailureCount), so every web process sees the
same numbers and operators can list and clear them (/operator/, `manage.py unlock_sign_in`).

    verdict = sign_in_check(realm=ADMIN, username=username, ip=client_ip(request))
    if verdict.refused: refuse (429, verdict.explanation, Retry-After: verdict.retry_after_header)
    ... check the password ...
    sign_in_failure_record(...) or sign_in_success_record(...)
"""

import logging
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone

from organizations.models import SignInFailureCount

logger = logging.getLogger(__name__)

Realm = SignInFailureCount.Realm
Kind = SignInFailureCount.Kind
ADMIN, UC = Realm.ADMIN, Realm.UC
SLOWDOWN_FIRST_DELAY = 0.25
KEEP_EXPIRED = timedelta(days=1)  # expired counts stay visible to operators this long


@dataclass(frozen=True)
class Verdict:
    locked_until: datetime | None = None
    locked_by: str = ""  # Kind.ACCOUNT_AT_ADDRESS or Kind.ADDRESS
    wait: float = 0.0  # the account is being slowed down: seconds until an attempt from this address is accepted

    @property
    def locked(self) -> bool:
        return self.locked_until is not None

    @property
    def refused(self) -> bool:
        return self.locked or self.wait > 0

    @property
    def retry_after(self) -> int:
        """Seconds to wait (for a Retry-After header)."""
        if self.locked_until is not None:
            return max(1, math.ceil((self.locked_until - timezone.now()).total_seconds()))
        return max(1, math.ceil(self.wait))

    @property
    def explanation(self) -> str:
        if not self.locked:
            seconds = self.retry_after
            return (f"Too many failed sign-in attempts for this account. Wait {seconds} second"
                    f"{'s' if seconds != 1 else ''}, then try again.")
        where = "from your network" if self.locked_by == Kind.ADDRESS else "for this account from your network"
        minutes = max(1, round(self.retry_after / 60))
        return (f"Too many failed sign-in attempts {where}. Sign-in is paused for {minutes} minute"
                f"{'s' if minutes != 1 else ''}; try again then.")


def account_key(username: str | None) -> str:
    return (username or "").strip().lower()[:254]


def _limit(kind: str) -> int | None:
    return {Kind.ACCOUNT_AT_ADDRESS: settings.LOGIN_FAILURE_LIMIT,
            Kind.ADDRESS: settings.LOGIN_ADDRESS_FAILURE_LIMIT}.get(kind)


def _keys(username: str, ip: str) -> dict[str, dict]:
    keys = {Kind.ADDRESS: {"username": "", "ip_address": ip}}
    if username:
        keys[Kind.ACCOUNT_AT_ADDRESS] = {"username": username, "ip_address": ip}
        keys[Kind.ACCOUNT] = {"username": username, "ip_address": ""}
    return keys


def slowdown_delay(failures: int) -> float:
    """How long after an account's last failure the next attempt from a failed address is accepted."""
    excess = failures - settings.LOGIN_FAILURE_LIMIT
    if excess < 0:
        return 0.0
    return min(settings.LOGIN_SLOWDOWN_MAX_SECONDS, SLOWDOWN_FIRST_DELAY * 2 ** min(excess, 16))


def sign_in_check(*, realm: str, username: str | None, ip: str | None, now: datetime | None = None) -> Verdict:
    """Whether an attempt may have its password checked now (one indexed query); never counts anything."""
    if not settings.SIGN_IN_THROTTLE:
        return Verdict()
    now = now or timezone.now()
    username, ip = account_key(username), ip or ""
    matches = Q()
    for kind, key in _keys(username, ip).items():
        matches |= Q(kind=kind, **key)
    rows = {row.kind: row for row in SignInFailureCount.objects.filter(matches, realm=realm, expires_at__gt=now)}
    locks = [row for row in rows.values() if row.locked_until and row.locked_until > now]
    if locks:
        lock = max(locks, key=lambda row: row.locked_until)
        return Verdict(locked_until=lock.locked_until, locked_by=lock.kind)
    account = rows.get(Kind.ACCOUNT)
    if account is None or Kind.ADDRESS not in rows:  # an address that has not failed is never slowed down
        return Verdict()
    accepted_from = account.last_failure_at + timedelta(seconds=slowdown_delay(account.failures))
    return Verdict(wait=max(0.0, (accepted_from - now).total_seconds()))


def _count(realm: str, kind: str, key: dict, now: datetime) -> None:
    """One more failure for the key, in one UPDATE (a new window if the last one ended); the row on first use."""
    window, limit = settings.LOGIN_LOCKOUT, _limit(kind)
    active = Q(expires_at__gt=now)
    if not limit:  # an account from anywhere: counted, never locked
        reaches = Q(pk__in=[])
    elif limit == 1:
        reaches = Q(pk__isnull=False)
    else:
        reaches = active & Q(failures__gte=limit - 1)  # this failure is the limit-th of the window
    rows = SignInFailureCount.objects.filter(realm=realm, kind=kind, **key)
    changes = {
        "failures": Case(When(active, then=F("failures") + 1), default=Value(1)),
        "first_failure_at": Case(When(active, then=F("first_failure_at")), default=Value(now)),
        "last_failure_at": Value(now),
        "locked_until": Case(When(reaches, then=Value(now + window)), When(active, then=F("locked_until")),
                             default=Value(None)),
        "expires_at": Case(When(reaches, then=Value(now + window)), When(active, then=F("expires_at")),
                           default=Value(now + window)),
    }
    if rows.update(**changes):
        return
    try:
        with transaction.atomic():
            SignInFailureCount.objects.create(
                realm=realm, kind=kind, failures=1, first_failure_at=now, last_failure_at=now,
                locked_until=now + window if limit == 1 else None, expires_at=now + window, **key)
    except IntegrityError:  # a concurrent first failure created it
        rows.update(**changes)


def sign_in_failure_record(*, realm: str, username: str | None, ip: str | None) -> Verdict:
    """Count a failed password (never call it for a refused attempt); the verdict for the next attempt."""
    if not settings.SIGN_IN_THROTTLE:
        return Verdict()
    now = timezone.now()
    key_username, key_ip = account_key(username), ip or ""
    for kind, key in _keys(key_username, key_ip).items():
        _count(realm, kind, key, now)
    SignInFailureCount.objects.filter(expires_at__lt=now - KEEP_EXPIRED).delete()
    verdict = sign_in_check(realm=realm, username=key_username, ip=key_ip, now=now)
    logger.warning("Login failure (%s sign-in) for %r from %s%s", realm, key_username, key_ip or "unknown address",
                   f"; locked ({verdict.locked_by}) until {verdict.locked_until:%H:%M:%S}" if verdict.locked else "")
    return verdict


def sign_in_success_record(*, realm: str, username: str | None, ip: str | None) -> None:
    """A correct password: the account's count from this address starts again (the others stay)."""
    if settings.SIGN_IN_THROTTLE and username:
        SignInFailureCount.objects.filter(realm=realm, kind=Kind.ACCOUNT_AT_ADDRESS, username=account_key(username),
                                          ip_address=ip or "").delete()


# -- operators ---------------------------------------------------------------------------------------------------
def sign_in_locks(now: datetime | None = None):
    """The locks in force, newest first."""
    now = now or timezone.now()
    return SignInFailureCount.objects.filter(locked_until__gt=now)


def describe(row: SignInFailureCount, now: datetime | None = None) -> str:
    """One line for operators: "UC Client (PBX password): bob@contoso.example from 203.0.113.9: 5 failures, ..."."""
    now = now or timezone.now()
    if row.locked_until and row.locked_until > now:
        state = f"locked until {timezone.localtime(row.locked_until):%Y-%m-%d %H:%M:%S %Z}"
    else:
        state = "counting" if row.expires_at > now else "expired"
    who = {Kind.ACCOUNT_AT_ADDRESS: f"{row.username} from {row.ip_address}",
           Kind.ADDRESS: f"address {row.ip_address}, any account",
           Kind.ACCOUNT: f"{row.username} from any address"}[row.kind]
    return f"{row.get_realm_display()}: {who}: {row.failures} failure{'s' * (row.failures != 1)}, {state}"


def sign_in_unlock(*, username: str | None = None, ip: str | None = None, realm: str | None = None) -> list[str]:
    """Clear every count and lock of the account (all its addresses) and/or the address; what was cleared."""
    matches = Q(pk__in=[])
    if username:
        matches |= Q(username=account_key(username))
    if ip:
        matches |= Q(ip_address=ip)
    rows = SignInFailureCount.objects.filter(matches)
    if realm:
        rows = rows.filter(realm=realm)
    return sign_in_rows_clear(rows)


def sign_in_rows_clear(rows) -> list[str]:
    now = timezone.now()
    cleared = [describe(row, now) for row in rows]
    rows.delete()
    for line in cleared:
        logger.warning("Sign-in count cleared by an operator: %s", line)
    return cleared
