"""The Celery app.

Production runs a Redis broker with separate worker and beat processes. Without `REDIS_URL`
(the laptop default) tasks run eagerly in the web process, so `make run` needs no broker.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qrsite.settings")

app = Celery("qrsite")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="qrsite.ping")
def ping() -> str:
    """Round-trip check used by the health endpoint's broker probe and the worker integration test."""
    return "pong"
