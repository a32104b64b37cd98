"""Why a sync run failed, in words an admin can act on (built on integrations.failures)."""

from integrations.failures import explain_authentication_failure, explain_graph_failure
from integrations.graph import AuthenticationFailed, GraphClientError, PermissionDenied

NOT_CONNECTED = "Microsoft Entra ID is not connected: enter the connection settings and Test Connection."


class SyncAborted(Exception):
    """The run cannot go on safely (for example a chosen group no longer exists). Nothing is removed."""


class MissingPermission(SyncAborted):
    def __init__(self, permission: str, what: str, exc: PermissionDenied | None = None):
        self.permission = permission
        super().__init__(
            f"{what} was refused: the app lacks the application permission {permission}. Fix: in the app "
            f"registration add Microsoft Graph > Application permissions > {permission} and click “Grant admin "
            "consent”. Nothing was removed."
        )


def describe_failure(exc: Exception, connection=None, what: str = "Reading the directory") -> str:
    if isinstance(exc, SyncAborted):
        return str(exc)
    if isinstance(exc, AuthenticationFailed):
        explanation = explain_authentication_failure(exc, tenant_id=getattr(connection, "tenant_id", ""),
                                                     client_id=getattr(connection, "client_id", ""))
        return f"{explanation.message} Fix: {explanation.fix} Syncs are paused until the connection is fixed."
    if isinstance(exc, PermissionDenied) and exc.permission:
        return str(MissingPermission(exc.permission, exc.action or what, exc))
    if isinstance(exc, GraphClientError):
        message, fix = explain_graph_failure(exc, what=what)
        return f"{message} Fix: {fix} Nothing was removed; the next run retries."
    return str(exc)
