"""The Celery worker `make run` starts beside `runserver`: `celery -A qrsite worker`, with
SITE_URL and SHORT_URL_BASE (when unset) following the address the server serves, exactly as
`runserver` sets them, so imported codes and exported images encode the server's short URLs.
"""

import os
import sys

from django.core.management.base import BaseCommand

from codes.devserver import devserver_urls


class Command(BaseCommand):
    help = "Run the Celery worker for the development server at ADDR:PORT."

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")
        parser.add_argument("--concurrency", type=int, default=2)

    def handle(self, *args, addrport, concurrency, **options):
        addr, _, port = addrport.rpartition(":")
        os.environ.update(devserver_urls(environ=os.environ, addr=addr, port=port))
        self.stdout.write(f"Worker for jobs: {concurrency} processes, beside {addrport}.")
        self.stdout.flush()
        # Replaced by the very command production runs (and the same process id, so whoever
        # started this stops the worker itself).
        os.execv(  # noqa: S606 - a fixed argv of our own interpreter, no shell
            sys.executable,
            [sys.executable, "-m", "celery", "-A", "qrsite", "worker", "--loglevel=warning",
             f"--concurrency={concurrency}", "--without-gossip", "--without-mingle"],
        )  # fmt: skip
