"""The UC Client's web session: which extension this browser signed in as (UC users are not portal users)."""

from extensions.models import Extension
from organizations.middleware import time_zone_activate
from sso.selectors import sso_allowed

SESSION_EXTENSION = "uc_extension_id"
SESSION_METHOD = "uc_auth_method"


def uc_session_start(request, extension: Extension, *, method: str) -> None:
    request.session.cycle_key()  # a new session key at sign-in (session fixation)
    request.session[SESSION_EXTENSION] = extension.pk
    request.session[SESSION_METHOD] = method


def uc_extension_of(request) -> Extension | None:
    """The signed-in extension; None (and the session ends) once it is disabled or, for a session started with
    Sign in with Microsoft, once its organization switches SSO off."""
    pk = request.session.get(SESSION_EXTENSION)
    if not pk:
        return None
    extension = Extension.objects.select_related("organization").filter(pk=pk).first()
    if extension is None or extension.status != Extension.Status.ACTIVE or (
            request.session.get(SESSION_METHOD) == "microsoft" and not sso_allowed(extension.organization)):
        uc_session_end(request)
        return None
    time_zone_activate(extension.organization)  # the UC pages show the organization's local times
    return extension


def uc_session_end(request) -> None:
    request.session.pop(SESSION_EXTENSION, None)
    request.session.pop(SESSION_METHOD, None)
    request.session.cycle_key()
