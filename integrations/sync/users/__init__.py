"""User and extension provisioning: Entra users become PBX extensions (read -> plan -> apply).

graph_reads.py  what is read from Graph, and how (the only part that knows Graph's URLs)
mapping.py      a Graph user -> DirectoryUser (the extension's fields), pure
scope.py        is a user in scope, and if not, why; pure
numbering.py    extension numbers: automatic from a range, or from an attribute; pure
planner.py      (directory users, current extensions, settings) -> actions with reasons; pure
apply.py        actions -> bulk database writes and the sync log
engine.py       one run: full, incremental (delta), dry run, single user
"""
