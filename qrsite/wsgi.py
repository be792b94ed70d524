import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qrsite.settings")

application = get_wsgi_application()

# Everything loaded at start-up (modules, settings, URL patterns, templates) lives as long as
# the process: moving it out of the collector's view keeps full collections short, and with
# them the pauses they put into the slowest requests.
gc.freeze()
