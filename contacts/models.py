# Outlook and shared-mailbox contacts arrive with the contact sync issue.
