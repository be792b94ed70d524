"""runserver whose codes scan: unset, SITE_URL and SHORT_URL_BASE follow the address served.

Without this, `make run PORT=8011` made codes that encode :8000, and a server on 0.0.0.0 made
codes that encode 127.0.0.1, which no phone can open. Values set in the environment win.
"""

import os
from urllib.parse import urlsplit

from django.conf import settings

# whitenoise's command wraps staticfiles' (static files are served by WhiteNoise); this app
# is listed above it in INSTALLED_APPS so that this command wraps both.
from whitenoise.runserver_nostatic.management.commands.runserver import (
    Command as RunserverCommand,
)

from codes.devserver import binds_every_interface, devserver_urls, only_this_machine


class Command(RunserverCommand):
    help = RunserverCommand.help + " Unset SITE_URL and SHORT_URL_BASE follow its address."

    def run(self, **options):
        urls = devserver_urls(environ=os.environ, addr=self.addr, port=self.port)
        for name, value in urls.items():
            # The autoreloader serves from a child process, which reads its settings from the
            # environment it inherits; --noreload serves from this one.
            os.environ[name] = value
            setattr(settings, name, value)
        if urls and settings.DEBUG and not os.environ.get("ALLOWED_HOSTS"):
            # settings.py adds it in the child; the host keeps the brackets of an IPv6 address.
            host = urlsplit(urls["SITE_URL"]).netloc.rpartition(":")[0]
            settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, host]
        super().run(**options)

    def on_bind(self, server_port):
        super().on_bind(server_port)
        base = settings.SHORT_URL_BASE
        self.stdout.write(f"Dynamic codes encode {base}<slug>; emails link to {settings.SITE_URL}.")
        if not only_this_machine(base):
            return
        if binds_every_interface(self.addr):
            hint = "no LAN address found: set SHORT_URL_BASE to one a phone can reach."
        else:
            hint = "to scan them with a phone on the same network: make run HOST=0.0.0.0"
        self.stdout.write(f"Only this machine can open them; {hint}")
