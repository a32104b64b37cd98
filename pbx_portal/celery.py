"""The Celery app: configured from Django settings (CELERY_*), tasks autodiscovered."""

import os

from celery import Celery
from celery.signals import worker_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pbx_portal.settings")

app = Celery("pbx_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_init.connect
def use_worker_statement_timeout(**kwargs):
    """Workers write in bulk: their statements may run WORKER_DATABASE_STATEMENT_TIMEOUT (the web's is shorter).
    Sent in the worker's main process before its pool starts, so every pool process inherits it."""
    from django.conf import settings

    from pbx_portal.database import use_statement_timeout

    use_statement_timeout(settings.WORKER_DATABASE_STATEMENT_TIMEOUT)


@app.task(name="pbx_portal.health")
def health(token: str) -> dict:
    """Echo a token back with the worker's host name: proves a broker and result round trip."""
    import socket

    return {"token": token, "worker": socket.gethostname()}
