"""URLs for benchmarks/codes_list.py: the site plus one bare signed-in page, the baseline."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.urls import path

from qrsite.urls import urlpatterns as site_urlpatterns


@login_required
def bare_page(request):
    """The floor: the same middleware, session and login check, no query of our own."""
    return HttpResponse("<!doctype html><title>ok</title>ok")


urlpatterns = [path("bench/bare/", bare_page), *site_urlpatterns]
