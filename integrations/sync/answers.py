"""What a page action that starts a run (Sync Now, Preview, Sync this user) answers: 202 with the run's progress to
the page's script, else a banner and the run's log page; or why the run cannot start."""

from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

from integrations.models import EntraConnection
from integrations.sync.models import SyncRun
from integrations.sync.registry import why_not_runnable
from integrations.sync.reporting import run_progress
from pbx_portal.http import refuse, wants_json
from pbx_portal.times import local_text


def run_refused(request, kind: str, back: str):
    """None when a person may start a run of `kind` now; else the refusal (409 {"error": reason} to the page's
    script, the reason as a banner on `back`): not connected, switched off, or paused."""
    connection = EntraConnection.objects.filter(organization=request.organization).first()
    reason = why_not_runnable(connection, kind, explicit=True)
    return refuse(request, reason, back) if reason else None


def run_started(request, run: SyncRun, created: bool, what: str):
    """`created`: this request queued the run; else one was already running and is shown instead."""
    if wants_json(request):
        return JsonResponse({**run_progress(run), "created": created,
                             "url": reverse("sync:run", args=[run.pk])}, status=202)
    if created:
        messages.success(request, f"{what} started.")
    else:
        started = local_text(run.created_at, "%H:%M")
        messages.info(request, f"A sync is already running (started {started}): showing it.")
    return redirect("sync:run", run.pk)
