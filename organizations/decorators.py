"""View guard: signed in, and acting for an organization."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect


def organization_required(view):
    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.organization is None:
            if request.user.is_superuser:
                return redirect("organizations:choose")
            return redirect("organizations:no_organization")
        return view(request, *args, **kwargs)

    return wrapper
