"""The Collaboration page's contacts chart: contacts per mailbox, failed mailboxes marked (always shown)."""

from django.db.models import Q
from django.urls import reverse

from contacts.models import MailboxSyncState
from pbx_portal.charts import Row, row_chart

TOP_MAILBOXES = 12
FAILED_STATUSES = (MailboxSyncState.Status.DENIED, MailboxSyncState.Status.NO_MAILBOX, MailboxSyncState.Status.ERROR)


def contacts_per_mailbox_chart(*, organization, off_kinds=()) -> dict:
    """The mailboxes with most contacts plus the failed ones (up to TOP_MAILBOXES each), and the totals. A mailbox
    whose kind is switched off is not read, so it is not failing: it counts as the mailbox status page shows it
    ('Switched off'), not as a failure."""
    mailboxes = MailboxSyncState.objects.filter(organization=organization)
    failing = Q(status__in=FAILED_STATUSES) & ~Q(kind__in=list(off_kinds))
    failed = list(mailboxes.filter(failing).order_by("display_name", "id")[:TOP_MAILBOXES])
    largest = list(mailboxes.filter(~failing).order_by("-contact_count", "display_name", "id")[:TOP_MAILBOXES])
    total = mailboxes.count()
    link = reverse("contacts:mailboxes")
    rows = [Row(label=m.display_name or m.mailbox_id, value=m.contact_count, href=link,
                detail=_state(m, off_kinds)) for m in largest]
    rows += [Row(label=m.display_name or m.mailbox_id, value=m.contact_count, failed=True,
                 href=link + "?show=problems", detail=f"{m.get_status_display()}: {m.last_error}".rstrip(": "))
             for m in failed]
    failures = mailboxes.filter(failing).count()
    return {"rows": row_chart(rows), "mailboxes": total, "failed": failures, "shown": len(rows),
            "failed_shown": len(failed)}


def _state(mailbox: MailboxSyncState, off_kinds) -> str:
    if mailbox.kind in off_kinds:
        return f"Switched off (last: {mailbox.get_status_display()})"
    return mailbox.get_status_display()
