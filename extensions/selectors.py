"""Reads for the Extensions list: search, a whitelist of sorts, constant query count."""

from django.db.models.functions import Length

from extensions.models import Extension

SORTS = {
    "number": (Length("number").asc(), "number"),
    "-number": (Length("number").desc(), "-number"),
    "name": ("display_name", "id"),
    "-name": ("-display_name", "-id"),
    "email": ("email", "id"),
    "-email": ("-email", "-id"),
    "department": ("department", "id"),
    "-department": ("-department", "-id"),
    "status": ("status", "id"),
    "-status": ("-status", "-id"),
    "updated": ("updated_at", "id"),
    "-updated": ("-updated_at", "-id"),
}
DEFAULT_SORT = "number"
LIST_COLUMNS = (
    "id", "number", "display_name", "email", "job_title", "department", "status", "source", "updated_at",
    "sync_state", "sync_message", "last_synced_at",
)


def extension_list(*, organization, query: str = "", sort: str = DEFAULT_SORT, status: str = ""):
    sort = sort if sort in SORTS else DEFAULT_SORT
    extensions = Extension.objects.for_organization(organization).search(query)
    if status in Extension.Status.values:
        extensions = extensions.filter(status=status)
    return extensions.only(*LIST_COLUMNS).order_by(*SORTS[sort]), sort


def extension_group_list(*, organization):
    from django.db.models import Count, Prefetch

    from extensions.models import ExtensionGroup

    members = Extension.objects.only("id", "number", "display_name", "status").order_by(Length("number"), "number")
    return (ExtensionGroup.objects.filter(organization=organization).annotate(member_count=Count("members"))
            .prefetch_related(Prefetch("members", queryset=members)).order_by("name"))
