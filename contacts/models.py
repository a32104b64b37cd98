"""Outlook contacts in the PBX directory: settings, mailbox/folder sync state, contacts and their numbers.

A contact with an ``owner`` (an Extension) is that user's personal contact, visible only to them; a contact
without one comes from a shared mailbox and is visible to every user of the organization.

Search design (measured with bench/contacts_sync.py; indexes in contacts/migrations/0002_search_indexes.py):
- A user reads company contacts (owner IS NULL) and their own (owner = them: a few hundred rows, found through
  the (organization, owner) index). Company rows have partial PostgreSQL indexes (WHERE owner_id IS NULL), so a
  search never wades through every user's personal contacts.
- ``name_key`` = casefolded display name, collation "C" on PostgreSQL: one btree serves the prefix LIKE and the
  ORDER BY, so a page of name matches is an index range scan stopped by the LIMIT.
- ``search_text`` = casefolded name, company, job title, department, e-mail addresses: pg_trgm GIN index for
  substring matches of 2+ characters.
- ``ContactNumber``: one row per phone number with ``e164`` (caller-ID lookup: btree equality) and ``digits`` /
  ``national`` (digits only, collation "C": prefix search in number order), with the owner repeated.
- SQLite (the embedded default) has its own path behind the same conditions (contacts/search.py, migration 0003):
  prefixes as btree ranges, substrings through an FTS5 trigram table kept in step by triggers.
"""

from django.db import models
from django.db.models import Q

from extensions.models import Extension
from organizations.models import Organization


class ContactSettings(models.Model):
    """Integrations > Collaboration: the two contact synchronization switches."""

    organization = models.OneToOneField(Organization, on_delete=models.CASCADE, related_name="contact_settings")
    personal_enabled = models.BooleanField("Microsoft Outlook Contacts Synchronization", default=False)
    shared_enabled = models.BooleanField("Shared Mailbox Contacts Synchronization", default=False)
    pending_change = models.JSONField(default=dict, blank=True,
                                      help_text="A saved change Microsoft Graph is checking (or refused): the chosen "
                                                "shared mailboxes; the settings above stay in effect until it passes.")
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Contact sync settings of {self.organization}"

    @property
    def any_enabled(self) -> bool:
        return self.personal_enabled or self.shared_enabled


class SharedMailbox(models.Model):
    """A shared mailbox the admin picked; its contacts become company contacts."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="shared_mailboxes")
    mailbox_id = models.CharField(max_length=64, help_text="Entra object id of the mailbox.")
    address = models.CharField(max_length=254, blank=True)
    display_name = models.CharField(max_length=256, blank=True)
    all_folders = models.BooleanField(default=True, help_text="Every contact folder, including new ones.")
    folders = models.JSONField(default=list, blank=True, help_text='Chosen folders: [{"id": ..., "name": ...}]')
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["display_name", "id"]
        constraints = [models.UniqueConstraint(fields=["organization", "mailbox_id"], name="shared_mailbox_unique")]

    def __str__(self) -> str:
        return self.display_name or self.address or self.mailbox_id

    @property
    def folder_ids(self) -> list[str]:
        return [str(f.get("id")) for f in self.folders or [] if f.get("id")]


class MailboxSyncState(models.Model):
    """One synced mailbox (a user's own, or a shared one): its status, counts and last error."""

    class Kind(models.TextChoices):
        PERSONAL = "personal", "Personal"
        SHARED = "shared", "Shared mailbox"

    class Status(models.TextChoices):
        PENDING = "pending", "Not synced yet"
        OK = "ok", "In sync"
        DENIED = "denied", "Access denied"
        NO_MAILBOX = "no_mailbox", "No mailbox (no Exchange license)"
        ERROR = "error", "Error"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    mailbox_id = models.CharField(max_length=64)
    owner = models.ForeignKey(Extension, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    display_name = models.CharField(max_length=256, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    last_error = models.TextField(blank=True)
    folder_count = models.PositiveIntegerField(default=0)
    contact_count = models.PositiveIntegerField(default=0)
    folders_checked_at = models.DateTimeField(null=True, blank=True)
    last_synced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["kind", "display_name", "id"]
        constraints = [models.UniqueConstraint(fields=["organization", "kind", "mailbox_id"],
                                               name="mailbox_sync_state_unique")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} mailbox {self.display_name or self.mailbox_id}"


class FolderSyncState(models.Model):
    """One contact folder of a synced mailbox (its delta link is a DeltaCursor keyed mailbox/folder)."""

    mailbox = models.ForeignKey(MailboxSyncState, on_delete=models.CASCADE, related_name="folders")
    folder_id = models.CharField(max_length=255)
    display_name = models.CharField(max_length=256, blank=True)
    contact_count = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    last_synced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["display_name", "id"]
        constraints = [models.UniqueConstraint(fields=["mailbox", "folder_id"], name="folder_sync_state_unique")]

    def __str__(self) -> str:
        return self.display_name or self.folder_id


class ContactQuerySet(models.QuerySet):
    def visible_to(self, organization, extension=None):
        """Company contacts, plus the personal contacts of `extension` (never a colleague's)."""
        visible = Q(owner__isnull=True)
        if extension is not None:
            visible |= Q(owner=extension)
        return self.filter(organization=organization).filter(visible)


class Contact(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    mailbox = models.ForeignKey(MailboxSyncState, on_delete=models.CASCADE, related_name="contacts")
    owner = models.ForeignKey(Extension, null=True, blank=True, on_delete=models.CASCADE, related_name="+",
                              help_text="Set for personal contacts (visible to this user only).")
    folder_id = models.CharField(max_length=255)
    source_id = models.CharField(max_length=255, help_text="Outlook contact id.")
    display_name = models.CharField(max_length=256)
    given_name = models.CharField(max_length=128, blank=True)
    surname = models.CharField(max_length=128, blank=True)
    company_name = models.CharField(max_length=256, blank=True)
    job_title = models.CharField(max_length=256, blank=True)
    department = models.CharField(max_length=256, blank=True)
    email = models.CharField(max_length=254, blank=True)
    emails = models.JSONField(default=list, blank=True)
    phones = models.JSONField(default=list, blank=True, help_text='[{"kind", "original", "e164"}]')
    name_key = models.TextField(blank=True)
    search_text = models.TextField(blank=True)
    fingerprint = models.CharField(max_length=32)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ContactQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["mailbox", "folder_id", "source_id"],
                                               name="contact_source_unique")]
        indexes = [models.Index(fields=["organization", "owner"], name="contact_org_owner")]
        # PostgreSQL-only search indexes (pattern ops, pg_trgm) are created in migration 0002.

    def __str__(self) -> str:
        return self.display_name


class ContactNumber(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="numbers")
    owner = models.ForeignKey(Extension, null=True, blank=True, on_delete=models.CASCADE, related_name="+",
                              help_text="The contact's owner, repeated here so number searches need no join.")
    kind = models.CharField(max_length=16)
    original = models.CharField(max_length=64)
    e164 = models.CharField(max_length=20, blank=True)
    digits = models.TextField(help_text="E.164 digits without '+', or the original's digits if not parseable.")
    national = models.TextField(blank=True, help_text="National significant number, digits only.")

    class Meta:
        indexes = [models.Index(fields=["organization", "e164"], name="contact_number_e164")]

    def __str__(self) -> str:
        return self.e164 or self.original


class PickerRequest(models.Model):
    """A shared-mailbox search or folder listing the admin asked for: done by a Celery task, polled by the page."""

    class Action(models.TextChoices):
        SEARCH = "search", "Search mailboxes"
        FOLDERS = "folders", "List folders"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    action = models.CharField(max_length=8, choices=Action.choices)
    query = models.CharField(max_length=254)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    results = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["created_at"], name="picker_request_created")]

    def __str__(self) -> str:
        return f"{self.action} {self.query!r} ({self.status})"
