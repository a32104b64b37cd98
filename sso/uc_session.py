"""The UC Client's web session: which extension this browser signed in as (UC users are not portal users)."""

from extensions.models import Extension

SESSION_EXTENSION = "uc_extension_id"
SESSION_METHOD = "uc_auth_method"


def uc_session_start(request, extension: Extension, *, method: str) -> None:
    request.session.cycle_key()  # a new session key at sign-in (session fixation)
    request.session[SESSION_EXTENSION] = extension.pk
    request.session[SESSION_METHOD] = method


def uc_extension_of(request) -> Extension | None:
    pk = request.session.get(SESSION_EXTENSION)
    if not pk:
        return None
    extension = Extension.objects.select_related("organization").filter(pk=pk).first()
    if extension is None or extension.status != Extension.Status.ACTIVE:
        uc_session_end(request)
        return None
    return extension


def uc_session_end(request) -> None:
    request.session.pop(SESSION_EXTENSION, None)
    request.session.pop(SESSION_METHOD, None)
    request.session.cycle_key()
