"""Integrations > Collaboration: the contact synchronization switches and the chosen shared mailboxes."""

import json
import re

from django import forms

from pbx_portal.input_guard import json_loads_checked

MAILBOX_ID_RE = re.compile(r"^[A-Za-z0-9@._-]{1,64}$")
MAX_MAILBOXES = 50
MAX_FOLDERS = 100


class ContactSettingsForm(forms.Form):
    personal_enabled = forms.BooleanField(label="Microsoft Outlook Contacts Synchronization", required=False,
                                          help_text="Each synced user's own Outlook contacts (default folder and "
                                                    "subfolders) become personal contacts, visible only to them.")
    shared_enabled = forms.BooleanField(label="Shared Mailbox Contacts Synchronization", required=False,
                                        help_text="Contacts of the shared mailboxes below become company contacts, "
                                                  "visible to every user.")
    shared_mailboxes = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean_shared_mailboxes(self):
        raw = self.cleaned_data.get("shared_mailboxes") or "[]"
        try:
            items = json_loads_checked(raw)
        except ValueError:
            raise forms.ValidationError("The shared mailbox list could not be read; reload the page.") from None
        if not isinstance(items, list) or len(items) > MAX_MAILBOXES:
            raise forms.ValidationError(f"Choose at most {MAX_MAILBOXES} shared mailboxes.")
        mailboxes, seen = [], set()
        for item in items:
            mailbox = _mailbox(item)
            if mailbox["id"] not in seen:
                seen.add(mailbox["id"])
                mailboxes.append(mailbox)
        return mailboxes

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("shared_enabled") and not cleaned.get("shared_mailboxes") and not self.errors:
            self.add_error("shared_mailboxes", "Pick at least one shared mailbox, or switch Shared Mailbox Contacts "
                                               "Synchronization off.")
        return cleaned


def _mailbox(item) -> dict:
    if not isinstance(item, dict) or not isinstance(item.get("id"), str) or not MAILBOX_ID_RE.match(item["id"]):
        raise forms.ValidationError("A chosen mailbox is not valid; search for it again.")
    folders = item.get("folders") or []
    if not isinstance(folders, list) or len(folders) > MAX_FOLDERS:
        raise forms.ValidationError("A chosen mailbox has an invalid folder list.")
    clean_folders = []
    for folder in folders:
        if not isinstance(folder, dict) or not isinstance(folder.get("id"), str) or not 0 < len(folder["id"]) <= 255:
            raise forms.ValidationError("A chosen folder is not valid; list the folders again.")
        clean_folders.append({"id": folder["id"], "name": str(folder.get("name") or "")[:256]})
    all_folders = item.get("all_folders") is not False
    name = str(item.get("name") or "")[:256]
    if not all_folders and not clean_folders:
        raise forms.ValidationError(f"Choose at least one folder of {name or item['id']}, or all folders.")
    return {"id": item["id"], "name": name, "address": str(item.get("address") or "")[:254],
            "all_folders": all_folders, "folders": [] if all_folders else clean_folders}


def initial_mailboxes_json(mailboxes) -> str:
    return json.dumps([{"id": m.mailbox_id, "name": m.display_name, "address": m.address,
                        "all_folders": m.all_folders, "folders": m.folders} for m in mailboxes])
