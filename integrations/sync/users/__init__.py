"""User and extension provisioning: Entra users become PBX extensions (read -> plan -> apply).

Reads go through integrations.graph.users and .groups (typed records); numbers come from extensions.numbering.

mapping.py      a GraphUser -> DirectoryUser (the extension's fields), pure
scope.py        is a user in scope, and if not, why; pure
planner.py      (directory users, current extensions, settings) -> actions with reasons; pure
apply.py        actions -> bulk database writes and the sync log
engine.py       one run: full, incremental (delta), dry run
single_user.py  "Sync this user", each step recorded
"""
