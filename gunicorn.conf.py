"""gunicorn's configuration, read from the working directory when gunicorn starts there.

Client IP addresses are never logged (docs/deploy.md, Privacy): the access log format leaves
out the remote address (gunicorn's default starts with it), and error-log lines have any
address masked, since gunicorn writes the client's into some of them ("Invalid request from
ip=..."). Command-line options and GUNICORN_CMD_ARGS override anything here.
"""

import ipaddress
import logging
import os
import re

from gunicorn.glogging import Logger

worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
errorlog = "-"
# Off unless asked for (`--access-logfile -`); when on, a line has no address, user agent or
# referrer, and the path without its query string (which may carry an email or a token).
access_log_format = '%(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms'

_IPV4 = re.compile(r"\b(?:\d{1,3}\.){3}\d{1,3}\b")
_IPV6_CANDIDATE = re.compile(r"[0-9A-Fa-f]*:[0-9A-Fa-f:.]*")


def _mask_ipv6(match: re.Match) -> str:
    token = match.group()
    # A trailing colon is punctuation ("ip=::1: Invalid request"); times such as 07:51:17
    # are not addresses, which ipaddress decides.
    core = token.rstrip(":")
    try:
        ipaddress.IPv6Address(core)
    except ValueError:
        return token
    return "[address]" + token[len(core) :]


def mask_addresses(text: str) -> str:
    return _IPV4.sub("[address]", _IPV6_CANDIDATE.sub(_mask_ipv6, text))


class _MaskAddresses(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = mask_addresses(record.getMessage())
        record.args = ()
        return True


class PrivateLogger(Logger):
    """gunicorn's logger with every IP address in its error log masked."""

    def setup(self, cfg):
        super().setup(cfg)
        if not any(isinstance(f, _MaskAddresses) for f in self.error_log.filters):
            self.error_log.addFilter(_MaskAddresses())


logger_class = PrivateLogger
