"""The sync log: every run with its counts, and each run's actions with before/after and reason."""

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from integrations.sync.history import sync_history
from integrations.sync.models import SyncEvent, SyncKind, SyncRun
from integrations.sync.reporting import run_progress
from integrations.sync.runs import run_approve, run_reject
from integrations.sync.selectors import events_for, run_for, runs_for
from organizations.decorators import organization_required

RUNS_PER_PAGE = 50
EVENTS_PER_PAGE = 100


def _text(request, name: str, limit: int = 100) -> str:
    return request.GET.get(name, "").replace("\x00", "").strip()[:limit]


@organization_required
def sync_log_view(request):
    # User synchronization first: presence polls and contact runs are one choice away (kind= shows every kind).
    kind = _text(request, "kind", 20) if "kind" in request.GET else SyncKind.USERS
    user = _text(request, "user")
    page = Paginator(runs_for(request.organization, kind=kind, user=user), RUNS_PER_PAGE).get_page(
        request.GET.get("page"))
    return render(request, "integrations/sync_log.html", {
        "page": page, "kind": kind, "user": user, "kinds": SyncKind.choices,
        "retention_days": settings.SYNC_LOG_RETENTION_DAYS,
        "history": sync_history(request.organization, kind=kind, user=user, range_key=request.GET.get("range", "")),
    })


def _own_run(request, run_id) -> SyncRun:
    run = run_for(request.organization, run_id)
    if run is None:
        raise Http404("No such sync run.")
    return run


@organization_required
def sync_run_view(request, run_id: int):
    run = _own_run(request, run_id)
    action, user = _text(request, "action", 20), _text(request, "user")
    page = Paginator(events_for(run, action=action, user=user), EVENTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "integrations/sync_run.html", {
        "run": run, "page": page, "action": action, "user": user, "actions": SyncEvent.Action.choices,
    })


@require_GET
@organization_required
def sync_run_progress_view(request, run_id: int):
    return JsonResponse(run_progress(_own_run(request, run_id)))


@require_POST
@organization_required
def sync_run_approve_view(request, run_id: int):
    run = _own_run(request, run_id)
    try:
        new_run = run_approve(run=run, actor=request.user)
    except ValueError as exc:
        messages.error(request, str(exc))
        return redirect("sync:run", run.pk)
    messages.success(request, f"Removals approved: run {new_run.pk} applies them.")
    return redirect("sync:run", new_run.pk)


@require_POST
@organization_required
def sync_run_reject_view(request, run_id: int):
    run = _own_run(request, run_id)
    try:
        run_reject(run=run, actor=request.user)
    except ValueError as exc:
        messages.error(request, str(exc))
        return redirect("sync:run", run.pk)
    messages.info(request, "Removals rejected: nothing was removed, and these removals are not planned again unless "
                           "those users change in Entra. Automatic syncs go on.")
    return redirect("sync:run", run.pk)
