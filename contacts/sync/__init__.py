"""Outlook contact sync, split into read (Graph, batched), plan (pure) and apply (bulk writes).

engine.execute(ctx) is the executor registered for SyncKind.CONTACTS in integrations/sync/registry.py.
"""
