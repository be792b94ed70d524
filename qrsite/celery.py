"""The Celery app.

Production runs a Redis broker with separate worker and beat processes. Without `REDIS_URL`
(the laptop default) the broker is a folder (kombu's filesystem transport, no server), and
`make run` starts a worker beside the web server.
"""

import os
from pathlib import Path

from celery import Celery, signals

from qrsite import logs

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


# A task carries the id of the request that queued it, so its log lines join the request's.
REQUEST_ID_HEADER = "qrsite_request_id"


@signals.before_task_publish.connect
def _send_request_id(headers=None, **kwargs):
    current = logs.request_id.get()
    if headers is not None and current:
        headers[REQUEST_ID_HEADER] = current


@signals.task_prerun.connect
def _adopt_request_id(task=None, **kwargs):
    given = getattr(task.request, REQUEST_ID_HEADER, None) if task is not None else None
    # Eager tasks run inside the request and keep its id; a worker takes the header's.
    if given is not None:
        task.request.qrsite_request_id_token = logs.request_id.set(given)


@signals.task_postrun.connect
def _drop_request_id(task=None, **kwargs):
    token = getattr(task.request, "qrsite_request_id_token", None) if task is not None else None
    if token is not None:
        logs.request_id.reset(token)
        task.request.qrsite_request_id_token = None


@app.task(name="qrsite.ping")
def ping() -> str:
    """Round-trip check used by the health endpoint's broker probe and the worker integration test."""
    return "pong"
