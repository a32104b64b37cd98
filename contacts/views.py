"""Admin views of contact sync: the Collaboration section's Save, the shared-mailbox picker, mailbox status."""

import re

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from contacts.forms import MAILBOX_ID_RE, ContactSettingsForm
from contacts.models import MailboxSyncState, PickerRequest
from contacts.selectors import mailbox_status_list, mailbox_status_summary, switched_off_kinds
from contacts.services import contact_settings_for, contacts_sync_now, picker_request_create
from contacts.settings_check import CHECKING_MESSAGE, contact_settings_discard, contact_settings_request
from integrations.models import EntraConnection
from integrations.services import connection_for
from integrations.sync.answers import run_refused, run_started
from integrations.sync.models import SyncKind
from organizations.decorators import organization_required
from pbx_portal.held_change import PENDING, status_summary

MAILBOXES_PER_PAGE = 200
SEARCH_RE = re.compile(r"^[^\x00-\x1f]{1,100}$")


@require_POST
@organization_required
def contact_settings_view(request):
    form = ContactSettingsForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Nothing was saved: please correct the contact synchronization settings.")
        return render(request, "integrations/collaboration.html", {
            "connection": connection_for(request.organization), "contacts_form": form}, status=400)
    outcome = contact_settings_request(organization=request.organization, actor=request.user,
                                       cleaned_data=form.cleaned_data, form_data=request.POST)
    if outcome == PENDING:
        messages.info(request, CHECKING_MESSAGE)
    else:
        messages.success(request, "Contact synchronization settings saved.")
    return redirect(reverse("integrations:collaboration") + "#contacts-section")


@require_POST
@organization_required
def contact_settings_discard_view(request):
    contact_settings_discard(request.organization)
    messages.info(request, "The change was discarded; the saved contact settings are shown.")
    return redirect(reverse("integrations:collaboration") + "#contacts-section")


@require_GET
@organization_required
def contact_settings_status_view(request):
    """What the Collaboration page polls while Microsoft Graph checks the chosen shared mailboxes."""
    return JsonResponse({"pending_change": status_summary(contact_settings_for(request.organization).pending_change)})


@require_POST
@organization_required
def picker_start_view(request):
    action = request.POST.get("action", "")
    query = " ".join(request.POST.get("query", "").split())
    if action == PickerRequest.Action.SEARCH and not SEARCH_RE.match(query):
        return JsonResponse({"error": "Type 1 to 100 characters of a mailbox's name or address."}, status=400)
    if action == PickerRequest.Action.FOLDERS and not MAILBOX_ID_RE.match(query):
        return JsonResponse({"error": "Unknown mailbox."}, status=400)
    if action not in PickerRequest.Action.values:
        return JsonResponse({"error": "Unknown action."}, status=400)
    picker = picker_request_create(organization=request.organization, action=action, query=query)
    return JsonResponse({"id": picker.pk, "status": picker.status,
                         "poll": reverse("contacts:picker_poll", args=[picker.pk])}, status=202)


@require_GET
@organization_required
def picker_poll_view(request, pk: int):
    picker = get_object_or_404(PickerRequest, pk=pk, organization=request.organization)
    return JsonResponse({"id": picker.pk, "action": picker.action, "status": picker.status,
                         "results": picker.results, "error": picker.error})


@require_GET
@organization_required
def mailbox_status_view(request):
    show = request.GET.get("show", "")
    organization = request.organization
    off = switched_off_kinds(organization=organization, settings=contact_settings_for(organization),
                             connection=EntraConnection.objects.filter(organization=organization).first())
    return render(request, "contacts/mailbox_status_list.html", {
        "off_kinds": off, "off_labels": [MailboxSyncState.Kind(kind).label for kind in off],
        "page": Paginator(mailbox_status_list(organization=request.organization, status=show),
                          MAILBOXES_PER_PAGE).get_page(request.GET.get("page")),
        "summary": mailbox_status_summary(organization=request.organization),
        "show": show, "statuses": MailboxSyncState.Status,
    })


@require_POST
@organization_required
def contacts_sync_now_view(request):
    """Collaboration > Outlook contacts > Sync Now: one contacts run now (the page shows its progress live)."""
    if refused := run_refused(request, SyncKind.CONTACTS, "integrations:collaboration"):
        return refused
    run, created = contacts_sync_now(organization=request.organization, actor=request.user)
    return run_started(request, run, created, "Contacts sync")
