"""The page shown when django-axes pauses sign-in after too many failures (/login/ and /operator/login/)."""

from django.conf import settings
from django.shortcuts import render


def lockout_response(request, original_response=None, credentials=None):
    minutes = max(1, round(settings.AXES_COOLOFF_TIME.total_seconds() / 60))
    return render(request, "registration/login_locked.html", {"minutes": minutes}, status=429)


def client_ip(request) -> str | None:
    """The client's address for sign-in throttling. Behind TRUSTED_PROXY_COUNT reverse proxies, the address the
    nearest proxy saw connecting (counted from the right of X-Forwarded-For, which a client can only prepend to);
    otherwise REMOTE_ADDR. Without this, every client behind one proxy would share the proxy's lockout."""
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies > 0:
        hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
        if len(hops) >= proxies:
            return hops[-proxies]
    return request.META.get("REMOTE_ADDR")
