"""The Celery app.

Production runs a Redis broker with separate worker and beat processes. Without `REDIS_URL`
(the laptop default) the broker is a folder (kombu's filesystem transport, no server), and
`make run` starts a worker beside the web server.
"""

import os
from pathlib import Path

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qrsite.settings")

app = Celery("qrsite")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def broker_folders() -> None:
    """The filesystem transport's folders exist before anything sends or consumes."""
    options = app.conf.broker_transport_options or {}
    for key in ("data_folder_in", "data_folder_out", "control_folder"):
        if options.get(key):
            Path(options[key]).mkdir(parents=True, exist_ok=True)


@app.on_after_configure.connect
def _broker_folders(sender, **kwargs):
    broker_folders()


@app.task(name="qrsite.ping")
def ping() -> str:
    """Round-trip check used by the health endpoint's broker probe and the worker integration test."""
    return "pong"
