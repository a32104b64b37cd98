"""Integrations > Microsoft Entra ID > SCIM provisioning: the Tenant URL, the Secret Token (generate, shown once,
rotate, revoke) and the choice between Graph pull and SCIM push."""

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from integrations.scim import mode as modes
from integrations.scim.guards import graph_sync_on
from integrations.scim.log import TRIGGER
from integrations.scim.mapping import ATTRIBUTE_MAP
from integrations.scim.models import ScimResource
from integrations.scim.tokens import Refused, active_token, scim_token_generate, scim_token_revoke
from integrations.sync.models import SyncKind, SyncRun
from organizations.decorators import organization_required
from organizations.models import AuditEntry

AUDIT_WORDS = {
    "scim.token_created": "Secret Token generated", "scim.token_rotated": "Secret Token rotated",
    "scim.token_revoked": "Secret Token revoked",
}


def _history(organization) -> list[dict]:
    entries = AuditEntry.objects.filter(organization=organization, action__startswith="scim.") \
        .select_related("actor")[:10]
    rows = []
    for entry in entries:
        if entry.action == "scim.provisioning_changed":
            on = (entry.changes.get("enabled") or [None, False])[1]
            what = "Switched to SCIM push" if on else "Switched to Graph pull (SCIM requests refused)"
        else:
            prefix = (entry.changes.get("prefix") or [None, ""])[1]
            what = f"{AUDIT_WORDS.get(entry.action, entry.action)} ({prefix}…)"
        rows.append({"created_at": entry.created_at, "actor": entry.actor, "what": what})
    return rows


def _counts(organization) -> dict:
    """Users and groups Entra provisioned; users it deactivated (active false) are counted apart, not as active."""
    users = ScimResource.objects.filter(organization=organization, kind=ScimResource.Kind.USER)
    total, deactivated = users.count(), users.filter(document__active=False).count()
    return {"users": total - deactivated, "deactivated": deactivated,
            "groups": ScimResource.objects.filter(organization=organization, kind=ScimResource.Kind.GROUP).count()}


def _last_log(organization) -> dict:
    """The latest day's provisioning log (one run per UTC day), and whether that day is today."""
    run = SyncRun.objects.filter(organization=organization, kind=SyncKind.USERS, trigger=TRIGGER).first()
    return {"last_run": run, "last_run_today": bool(run and run.created_at.date() == timezone.now().date())}


def _page(request, *, new_token: str = "", status: int = 200):
    organization = request.organization
    response = render(request, "integrations/scim.html", {
        "tenant_url": f"{settings.PUBLIC_BASE_URL}/scim/v2/",
        "mode": modes.provisioning_mode(organization),
        "graph_sync_on": graph_sync_on(organization),
        "token": active_token(organization),
        "new_token": new_token,
        "attribute_map": ATTRIBUTE_MAP,
        **_counts(organization),
        **_last_log(organization),
        "history": _history(organization),
        "rate_limit": settings.SCIM_RATE_LIMIT,
    }, status=status)
    response["Cache-Control"] = "no-store"
    return response


@organization_required
def scim_settings_view(request):
    if request.method == "POST":
        return redirect("scim_settings:settings")
    return _page(request)


@require_POST
@organization_required
def scim_token_generate_view(request):
    """Generate (or rotate) the token; its plaintext is in this response only."""
    rotating = active_token(request.organization) is not None
    try:
        _, plaintext = scim_token_generate(organization=request.organization, actor=request.user)
    except Refused as exc:
        messages.error(request, f"No token was generated. {exc}")
        return redirect("scim_settings:settings")
    messages.success(request, ("Secret Token rotated: the previous one no longer works. " if rotating else
                               "Secret Token generated and SCIM provisioning switched on. ") +
                     "Copy it now into Entra's provisioning settings: it is not shown again.")
    return _page(request, new_token=plaintext)


@require_POST
@organization_required
def scim_token_revoke_view(request):
    if scim_token_revoke(organization=request.organization, actor=request.user):
        messages.success(request, "Secret Token revoked: Microsoft Entra provisioning's requests are refused (401) "
                                  "until you generate a new one and enter it in Entra.")
    else:
        messages.info(request, "There was no active Secret Token.")
    return redirect("scim_settings:settings")


@require_POST
@organization_required
def scim_mode_view(request):
    mode = request.POST.get("mode")
    if mode not in (modes.GRAPH, modes.SCIM):
        messages.error(request, "Choose Graph pull or SCIM push.")
        return redirect("scim_settings:settings")
    if not modes.provisioning_mode_choose(organization=request.organization, mode=mode, actor=request.user):
        messages.info(request, "Nothing changed.")
    elif mode == modes.SCIM:
        messages.success(request, "SCIM push chosen: Graph user synchronization is off and Microsoft Entra "
                                  "provisioning's requests are accepted. No extension was changed.")
    else:
        messages.success(request, "Graph pull chosen: SCIM requests are refused from now on. No extension was "
                                  "changed; switch User Synchronization on when its scope is right.")
    return redirect("scim_settings:settings")
