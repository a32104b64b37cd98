"""The Collaboration page's contacts chart: contacts per mailbox, failed mailboxes marked (always shown)."""

from django.db.models import Q
from django.urls import reverse

from contacts.models import MailboxSyncState
from pbx_portal.charts import Row, row_chart

TOP_MAILBOXES = 12
FAILED_STATUSES = (MailboxSyncState.Status.DENIED, MailboxSyncState.Status.NO_MAILBOX, MailboxSyncState.Status.ERROR)


def contacts_per_mailbox_chart(*, organization) -> dict:
    """The mailboxes with most contacts plus every failed one (up to TOP_MAILBOXES each), and the totals."""
    mailboxes = MailboxSyncState.objects.filter(organization=organization)
    failed = list(mailboxes.filter(status__in=FAILED_STATUSES).order_by("display_name", "id")[:TOP_MAILBOXES])
    largest = list(mailboxes.filter(~Q(status__in=FAILED_STATUSES)).order_by("-contact_count", "display_name",
                                                                               "id")[:TOP_MAILBOXES])
    total = mailboxes.count()
    link = reverse("contacts:mailboxes")
    rows = [Row(label=m.display_name or m.mailbox_id, value=m.contact_count, href=link,
                detail=m.get_status_display()) for m in largest]
    rows += [Row(label=m.display_name or m.mailbox_id, value=m.contact_count, failed=True,
                 href=link + "?show=problems", detail=f"{m.get_status_display()}: {m.last_error}".rstrip(": "))
             for m in failed]
    failures = mailboxes.filter(status__in=FAILED_STATUSES).count()
    return {"rows": row_chart(rows), "mailboxes": total, "failed": failures, "shown": len(rows)}
