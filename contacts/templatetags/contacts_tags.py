"""The Collaboration page's contacts section builds its own context (the page's view stays the presence/other
sections' business): {% contacts_section as section %} in templates/contacts/_collaboration_section.html."""

from django import template

from contacts.charts import contacts_per_mailbox_chart
from contacts.forms import ContactSettingsForm, initial_mailboxes_json
from contacts.models import SharedMailbox
from contacts.selectors import mailbox_status_summary, switched_off_kinds
from contacts.services import contact_settings_for
from contacts.settings_check import CHECKING_MESSAGE
from integrations.models import EntraConnection
from integrations.sync.models import SyncKind, SyncRun
from pbx_portal.held_change import REFUSED, held_form_data, status_summary

register = template.Library()


@register.simple_tag(takes_context=True)
def contacts_section(context):
    organization = context["request"].organization
    settings = contact_settings_for(organization)
    held = settings.pending_change or {}
    form = context.get("contacts_form") or held_form(held) or ContactSettingsForm(initial={
        "personal_enabled": settings.personal_enabled, "shared_enabled": settings.shared_enabled,
        "shared_mailboxes": initial_mailboxes_json(SharedMailbox.objects.filter(organization=organization))})
    connection = EntraConnection.objects.filter(organization=organization).first()
    last_run = SyncRun.objects.filter(organization=organization, kind=SyncKind.CONTACTS).first()
    return {"form": form, "settings": settings, "connection": connection, "last_run": last_run,
            "held": status_summary(held), "checking_message": CHECKING_MESSAGE,
            "permission_problem": permission_problem(connection, last_run),
            "summary": mailbox_status_summary(organization=organization)}


def held_form(held: dict) -> ContactSettingsForm | None:
    """The form as the admin typed it while Microsoft Graph checks it, with Graph's refusal as its error."""
    data = held_form_data(held)
    if data is None:
        return None
    form = ContactSettingsForm(data)
    if form.is_valid() and held.get("status") == REFUSED:
        form.add_error(held.get("field") if held.get("field") in form.fields else None, held.get("message"))
    return form


def permission_problem(connection, last_run) -> dict | None:
    """Whether Contacts.Read is missing, by the latest evidence: the last Test Connection or the last contacts run,
    whichever is newer (a run or test that finds the permission granted clears it). None, or {message, checked_at,
    by}."""
    evidence = []
    if last_run is not None and last_run.finished_at and last_run.status in (SyncRun.Status.FAILED,
                                                                               SyncRun.Status.SUCCEEDED):
        missing = last_run.status == SyncRun.Status.FAILED and "Contacts.Read" in last_run.error
        evidence.append((last_run.finished_at, missing, last_run.error, f"contacts sync run {last_run.pk}"))
    check = next((c for c in (connection.last_test_results if connection else None) or []
                  if c.get("key") == "permission:Contacts.Read"), None)
    if check is not None and connection.last_tested_at:
        evidence.append((connection.last_tested_at, check.get("status") != "ok",
                         f"{check.get('message', '')} {check.get('fix', '')}".strip(), "Test Connection"))
    if not evidence:
        return None
    checked_at, missing, message, by = max(evidence, key=lambda item: item[0])
    return {"message": message, "checked_at": checked_at, "by": by} if missing else None


@register.inclusion_tag("contacts/_chart.html", takes_context=True)
def contacts_chart(context):
    """{% contacts_chart %}: contacts per mailbox, failures marked (Collaboration page)."""
    organization = context["request"].organization
    off = switched_off_kinds(organization=organization, settings=contact_settings_for(organization),
                             connection=EntraConnection.objects.filter(organization=organization).first())
    return {"chart": contacts_per_mailbox_chart(organization=organization, off_kinds=off)}
