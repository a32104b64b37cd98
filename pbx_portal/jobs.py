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


def enqueue_many(task_name: str, arguments: list[tuple]) -> None:
    """Send one task per argument tuple after commit, over one broker connection (the dispatcher's bulk send)."""
    task = app.tasks[task_name]
    if not arguments:
        return

    def send():
        if app.conf.task_always_eager:
            for args in arguments:
                task.delay(*args)
            return
        with app.producer_or_acquire() as producer:
            for args in arguments:
                task.apply_async(args, producer=producer)

    transaction.on_commit(send)


def enqueue_later(task_name: str, seconds: float, *args) -> None:
    """Send the task after commit, to run `seconds` from now (a coalescing window)."""
    task = app.tasks[task_name]
    transaction.on_commit(lambda: task.apply_async(args, countdown=seconds))
