"""Recording audit entries: one function, so every change is recorded the same way."""

from organizations.models import AuditEntry, Organization

SECRET_PLACEHOLDER = "(changed)"

# How a changed setting reads in an audit list: each app registers its settings' labels (from AppConfig.ready()),
# so no stored code (custom_filter, interval_minutes, ...) is ever shown to an admin.
FIELD_WORDS: dict[str, str] = {}


def audit_words_register(labels: dict[str, str]) -> None:
    FIELD_WORDS.update(labels)


def audit_field_words(name: str) -> str:
    return FIELD_WORDS.get(name) or name.replace("_", " ").capitalize()


def audit_record(*, organization: Organization, actor, action: str, target: str = "", changes: dict | None = None):
    return AuditEntry.objects.create(
        organization=organization,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        target=target,
        changes=changes or {},
    )


def field_changes(before: dict, after: dict, *, secret_fields: frozenset[str] = frozenset()) -> dict:
    """Map each changed field to [before, after]; secret fields never carry their values."""
    changes = {}
    for name, new in after.items():
        old = before.get(name)
        if old == new or (not old and not new):  # None, "" and False all mean "not set"
            continue
        if name in secret_fields:
            changes[name] = [SECRET_PLACEHOLDER, SECRET_PLACEHOLDER]
        else:
            changes[name] = [_plain(old), _plain(new)]
    return changes


def _plain(value):
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)
