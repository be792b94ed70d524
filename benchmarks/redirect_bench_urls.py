from django.http import HttpResponseRedirect
from django.urls import path

from qrsite.urls import urlpatterns as site_urlpatterns


def bare_redirect(request):
    """The ceiling: a Django 302 with the same headers and no lookup, no recording."""
    response = HttpResponseRedirect("https://example.com/landing")
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


urlpatterns = [path("bench/bare", bare_redirect), *site_urlpatterns]
