"""Reads for the Extensions list: search, a whitelist of sorts, constant query count."""

from django.db.models import Case, Count, IntegerField, Prefetch, Value, When
from django.db.models.functions import Length

from extensions.models import Extension, ExtensionGroup

SORTS = {
    "number": (Length("number").asc(), "number"),
    "-number": (Length("number").desc(), "-number"),
    "name": ("display_name", "id"),
    "-name": ("-display_name", "-id"),
    # Blank e-mails and departments go last in both directions: they are not "smaller" than any value.
    "email": ("email_blank", "email", "id"),
    "-email": ("email_blank", "-email", "-id"),
    "department": ("department_blank", "department", "id"),
    "-department": ("department_blank", "-department", "-id"),
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


FIRST_NUMBER = 1000
MAX_NUMBER = 9_999_999_999


def _blank_last(field: str):
    return Case(When(**{field: ""}, then=Value(1)), default=Value(0), output_field=IntegerField())


def extension_list(*, organization, query: str = "", sort: str = DEFAULT_SORT, status: str = ""):
    sort = sort if sort in SORTS else DEFAULT_SORT
    extensions = Extension.objects.for_organization(organization).search(query)
    if status in Extension.Status.values:
        extensions = extensions.filter(status=status)
    if "email_blank" in SORTS[sort]:
        extensions = extensions.alias(email_blank=_blank_last("email"))
    if "department_blank" in SORTS[sort]:
        extensions = extensions.alias(department_blank=_blank_last("department"))
    return extensions.only(*LIST_COLUMNS).order_by(*SORTS[sort]), sort


def next_free_number(*, organization) -> str | None:
    """The number after the organization's highest one (1000 for the first), or None past 10 digits."""
    highest = (Extension.objects.for_organization(organization).order_by(Length("number").desc(), "-number")
               .values_list("number", flat=True).first())
    candidate = int(highest) + 1 if highest and highest.isdigit() else FIRST_NUMBER
    return str(candidate) if candidate <= MAX_NUMBER else None


def extension_group_list(*, organization):
    members = Extension.objects.only("id", "number", "display_name", "status").order_by(Length("number"), "number")
    return (ExtensionGroup.objects.filter(organization=organization).annotate(member_count=Count("members"))
            .prefetch_related(Prefetch("members", queryset=members)).order_by("name"))
