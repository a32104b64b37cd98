"""The page shown when django-axes pauses sign-in after too many failures (/login/ and /operator/login/)."""

from django.conf import settings
from django.shortcuts import render


def lockout_response(request, original_response=None, credentials=None):
    minutes = max(1, round(settings.AXES_COOLOFF_TIME.total_seconds() / 60))
    return render(request, "registration/login_locked.html", {"minutes": minutes}, status=429)
