"""Queue background work by task name, after the current transaction commits.

Services call enqueue() instead of importing their app's tasks module, which imports the services: so no module
imports the one that imports it. Each app's AppConfig.ready() imports its tasks module, so every process (web,
worker, beat, commands) knows every task by name.
"""

from django.db import transaction

from pbx_portal.celery import app


def enqueue(task_name: str, *args) -> None:
    """Send the task after commit (at once outside a transaction); eager in tests that ask for it."""
    task = app.tasks[task_name]  # KeyError: no such task (a typo, or its app's tasks module is not imported)
    transaction.on_commit(lambda: task.delay(*args))
