"""The Collaboration page's presence charts: users per PBX presence state now, and changes per hour (24 hours)."""

from django.db.models import Count

from integrations.sync.history import sync_history
from integrations.sync.models import SyncKind
from pbx_portal.charts import Row, row_chart
from presence.mapping import PBX_STATES
from presence.models import ExtensionPresence
from presence.selectors import presence_is_read


def presence_state_chart(*, organization) -> dict:
    """Users per presence state now: only while Teams presence is read (else the states are the last ones seen)."""
    read = presence_is_read(organization)
    counts = dict(ExtensionPresence.objects.filter(organization=organization, extension__status="active")
                  .values_list("pbx_state").annotate(n=Count("pk"))) if read else {}
    rows = [Row(label=label, value=counts.get(state, 0), css=state) for state, label in PBX_STATES]
    return {"rows": row_chart(rows), "users": sum(counts.values()), "read": read}


def presence_changes_chart(*, organization):
    """Presence changes per hour over the last 24 hours, from the poll runs; a bar opens that hour's busiest run."""
    return sync_history(organization, kind=SyncKind.PRESENCE, range_key="24h", always_group=True)
