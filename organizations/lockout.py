"""django-axes, extended: its backend and middleware guard /login/ and /operator/login/, and this handler puts
them on the portal's own sign-in throttle (organizations.sign_in_throttle), which the UC Client's password sign-in
shares. axes' own handlers cannot lock (account, address) and address with different limits, slow an account down
instead of locking it, or list locks for operators; `manage.py axes_reset` and its siblings use this handler too.
"""

from axes.handlers.base import AbstractAxesHandler, AxesBaseHandler
from django.shortcuts import render
from django.utils import timezone

from organizations.models import SignInFailureCount
from organizations.sign_in_throttle import (
    ADMIN,
    Kind,
    Verdict,
    account_key,
    sign_in_check,
    sign_in_failure_record,
    sign_in_rows_clear,
    sign_in_success_record,
    sign_in_unlock,
)

REQUEST_VERDICT = "sign_in_verdict"


def _username(credentials: dict | None) -> str:
    return (credentials or {}).get("username") or ""


class SignInThrottleHandler(AbstractAxesHandler, AxesBaseHandler):
    """AXES_HANDLER: decisions and counts from organizations.sign_in_throttle (realm "admin")."""

    def is_allowed(self, request, credentials: dict | None = None) -> bool:
        verdict = sign_in_check(realm=ADMIN, username=_username(credentials), ip=request.axes_ip_address)
        if verdict.refused:
            setattr(request, REQUEST_VERDICT, verdict)
            request.axes_locked_out = True
            return False
        return True

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        if request is None or request.axes_locked_out:  # a refused attempt is not counted
            return
        verdict = sign_in_failure_record(realm=ADMIN, username=_username(credentials), ip=request.axes_ip_address)
        if verdict.locked:
            setattr(request, REQUEST_VERDICT, verdict)
            request.axes_locked_out = True
            request.axes_credentials = credentials

    def user_logged_in(self, sender, request, user, **kwargs):
        if request is not None:
            sign_in_success_record(realm=ADMIN, username=user.get_username(), ip=request.axes_ip_address)

    def user_logged_out(self, sender, request, user, **kwargs):
        return None

    def get_failures(self, request, credentials: dict | None = None) -> int:
        row = SignInFailureCount.objects.filter(realm=ADMIN, kind=Kind.ACCOUNT_AT_ADDRESS,
                                                username=account_key(_username(credentials)),
                                                ip_address=request.axes_ip_address or "").first()
        return row.failures if row else 0

    def is_locked(self, request, credentials: dict | None = None) -> bool:
        return sign_in_check(realm=ADMIN, username=_username(credentials), ip=request.axes_ip_address).refused

    def reset_attempts(self, *, ip_address: str | None = None, username: str | None = None,
                       ip_or_username: bool = False) -> int:
        if not ip_address and not username:
            return len(sign_in_rows_clear(SignInFailureCount.objects.all()))
        return len(sign_in_unlock(username=username, ip=ip_address))

    def reset_logs(self, *, age_days: int | None = None) -> int:
        return 0  # successful sign-ins are not logged by axes here

    def reset_failure_logs(self, *, age_days: int | None = None) -> int:
        return 0


def lockout_response(request, original_response=None, credentials=None):
    """The 429 page for a locked (account, address) or address, or an account being slowed down."""
    verdict = getattr(request, REQUEST_VERDICT, None) or Verdict(locked_until=timezone.now())
    response = render(request, "registration/login_locked.html", {"verdict": verdict}, status=429)
    response["Retry-After"] = str(verdict.retry_after)
    return response
