"""A stand-in for Celery workers in browser tests: `.delay()` runs the task in a background thread.

The web request returns at once and the page polls for progress, as in production. On an in-memory SQLite test
database a second thread cannot see the data, so there the task runs inline when the request's transaction commits.
"""

import threading

import pytest
from celery.app.task import Task
from django.db import connection, connections


class BackgroundTasks:
    def __init__(self):
        self.threads: list[threading.Thread] = []

    def run(self, task, args, kwargs):
        if connection.vendor == "sqlite":
            task.run(*args, **kwargs)
            return

        def target():
            try:
                task.run(*args, **kwargs)
            finally:
                connections.close_all()

        thread = threading.Thread(target=target, daemon=True)
        self.threads.append(thread)
        thread.start()

    def join(self, timeout: float = 30) -> None:
        for thread in self.threads:
            thread.join(timeout)


@pytest.fixture
def background_tasks(monkeypatch):
    tasks = BackgroundTasks()

    def apply_async(self, args=None, kwargs=None, **options):
        tasks.run(self, args or (), kwargs or {})

    monkeypatch.setattr(Task, "apply_async", apply_async)
    yield tasks
    tasks.join()
