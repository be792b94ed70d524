"""The Celery worker `make run` starts beside `runserver`: `celery -A qrsite worker`, with
SITE_URL and SHORT_URL_BASE (when unset) following the address the server serves, exactly as
`runserver` sets them, so imported codes and exported images encode the server's short URLs.
"""

import os

from django.conf import settings
from django.core.management.base import BaseCommand

from codes.devserver import devserver_urls


class Command(BaseCommand):
    help = "Run the Celery worker for the development server at ADDR:PORT."

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")
        parser.add_argument("--concurrency", type=int, default=2)

    def handle(self, *args, addrport, concurrency, **options):
        addr, _, port = addrport.rpartition(":")
        for name, value in devserver_urls(environ=os.environ, addr=addr, port=port).items():
            os.environ[name] = value
            setattr(settings, name, value)  # the worker's processes fork from this one
        from qrsite.celery import app

        self.stdout.write(f"Worker for jobs: {concurrency} processes, broker {app.conf.broker_url}")
        app.worker_main(
            [
                "worker",
                "--loglevel=warning",
                f"--concurrency={concurrency}",
                "--without-gossip",
                "--without-mingle",
            ]
        )
