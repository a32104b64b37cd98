"""The Celery app: configured from Django settings (CELERY_*), tasks autodiscovered."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pbx_portal.settings")

app = Celery("pbx_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="pbx_portal.health")
def health(token: str) -> dict:
    """Echo a token back with the worker's host name: proves a broker and result round trip."""
    import socket

    return {"token": token, "worker": socket.gethostname()}
