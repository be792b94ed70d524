"""gunicorn's configuration, read from the working directory when gunicorn starts there.

Client IP addresses are never logged (docs/deploy.md, Privacy): the access log format leaves
out the remote address (gunicorn's default starts with it), and error-log lines have any
address masked, since gunicorn writes the client's into some of them ("Invalid request from
ip=..."). Command-line options and GUNICORN_CMD_ARGS override anything here.
"""

import os

from gunicorn.glogging import Logger

# gunicorn puts its working directory on sys.path before it reads this file.
from qrsite.logs import MaskSecrets, mask_addresses  # noqa: F401 - mask_addresses for the tests

worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
errorlog = "-"
# Off unless asked for (`--access-logfile -`); when on, a line has no address, user agent or
# referrer, and the path without its query string (which may carry an email or a token).
access_log_format = '%(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms'


class PrivateLogger(Logger):
    """gunicorn's logger with every IP address in its error log masked."""

    def setup(self, cfg):
        super().setup(cfg)
        if not any(isinstance(f, MaskSecrets) for f in self.error_log.filters):
            self.error_log.addFilter(MaskSecrets())


logger_class = PrivateLogger


def child_exit(server, worker):
    # With PROMETHEUS_MULTIPROC_DIR set, a dead worker's gauges must stop counting.
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
