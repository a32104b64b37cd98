"""Sync engine: run records, per-organization lock, dispatch and the sync log, shared by every sync kind.

One run machinery serves user provisioning (integrations.sync.users), Outlook contacts and Teams presence:
a kind registers an executor in ``registry.py``; ``runs.run_request`` queues a run (one active run per
organization and kind), ``runs.run_execute`` claims and executes it in a worker, ``dispatch`` starts due
scheduled runs, and the log the admin reads is the SyncRun/SyncEvent rows the engine wrote.
"""
