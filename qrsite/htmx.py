"""What every dashboard view needs to answer htmx and plain requests alike (django-htmx sets
`request.htmx`). Part of the kernel: Django and django-htmx only, no app."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django_htmx.http import HttpResponseClientRedirect


def page_or_fragment(request, template: str, context: dict, *, fragment: str, status: int = 200):
    """The whole page, or only `fragment` of it when HTMX asks (the page's partialdef)."""
    name = f"{template}#{fragment}" if request.htmx else template
    return render(request, name, context, status=status)


def safe_next(request, fallback: str) -> str:
    """Where to go back to after a POST: `next` when it is one of our own pages."""
    target = request.POST.get("next") or request.GET.get("next")
    # `next` is user input: anything off this host would make us an open redirect.
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


def go(request, url: str) -> HttpResponse:
    """Navigate after a POST: a redirect, or HX-Redirect when HTMX made the request (a plain
    302 would be followed by htmx and swapped into the target instead of replacing the page)."""
    if request.htmx:
        return HttpResponseClientRedirect(url)
    return redirect(url)
