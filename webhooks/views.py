"""Settings → Webhooks: owners and admins register endpoints (the secret is shown once, on
the page that answers the form), send test events, rotate secrets, enable or disable, delete,
and read each endpoint's delivery log with a redeliver button."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from accounts.decorators import manager_required
from codes import selectors as code_selectors
from qrsite.forms import add_service_errors
from qrsite.htmx import page_or_fragment
from webhooks import selectors, services
from webhooks.forms import EndpointForm

DELIVERIES_PER_PAGE = 25


def _groups(request):
    return list(code_selectors.group_list_for_workspace(workspace=request.workspace))


def _list_page(request, form=None, new_endpoint=None, new_secret=None):
    context = {
        "endpoints": selectors.endpoint_list_for_workspace(workspace=request.workspace),
        "form": form or EndpointForm(groups=_groups(request)),
        "new_endpoint": new_endpoint,
        "new_secret": new_secret,
    }
    response = page_or_fragment(request, "webhooks/list.html", context, fragment="endpoints")
    if new_secret:
        response["Cache-Control"] = "no-store"
    return response


def _detail_page(request, endpoint, new_secret=None):
    deliveries = Paginator(
        selectors.delivery_list_for_endpoint(endpoint=endpoint), DELIVERIES_PER_PAGE
    ).get_page(request.GET.get("page"))
    context = {
        "endpoint": endpoint,
        "deliveries": deliveries,
        "new_secret": new_secret,
        "disable_after_days": settings.WEBHOOKS_DISABLE_AFTER_DAYS,
    }
    response = page_or_fragment(request, "webhooks/detail.html", context, fragment="log")
    if new_secret:
        response["Cache-Control"] = "no-store"
    return response


@manager_required
def endpoint_list(request):
    return _list_page(request)


@manager_required
@require_POST
def endpoint_create(request):
    form = EndpointForm(request.POST, groups=_groups(request))
    if form.is_valid():
        try:
            endpoint, secret = services.endpoint_create(
                workspace=request.workspace, actor=request.membership, **form.service_arguments()
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            # Rendered, not redirected: the secret exists only in this response.
            return _list_page(request, new_endpoint=endpoint, new_secret=secret)
    return _list_page(request, form=form)


def _endpoint(request, endpoint_id):
    return selectors.endpoint_get_for_workspace(workspace=request.workspace, public_id=endpoint_id)


@manager_required
def endpoint_detail(request, endpoint_id):
    return _detail_page(request, _endpoint(request, endpoint_id))


def _refused(request, exc: ValidationError):
    messages.error(request, " ".join(exc.messages))


@manager_required
@require_POST
def endpoint_send_test(request, endpoint_id):
    endpoint = _endpoint(request, endpoint_id)
    try:
        services.endpoint_send_test(endpoint=endpoint, actor=request.membership)
    except ValidationError as exc:
        _refused(request, exc)
    else:
        messages.success(request, "Test event sent; its delivery is at the top of the log.")
    return redirect("webhooks:detail", endpoint_id=endpoint.public_id)


@manager_required
@require_POST
def endpoint_rotate_secret(request, endpoint_id):
    endpoint, secret = services.endpoint_rotate_secret(
        endpoint=_endpoint(request, endpoint_id), actor=request.membership
    )
    return _detail_page(request, endpoint, new_secret=secret)


@manager_required
@require_POST
def endpoint_toggle(request, endpoint_id):
    endpoint = _endpoint(request, endpoint_id)
    enable = request.POST.get("enable") == "1"
    services.endpoint_update(endpoint=endpoint, actor=request.membership, is_enabled=enable)
    messages.success(
        request,
        "Endpoint enabled; pending deliveries go out now." if enable else "Endpoint disabled.",
    )
    return redirect("webhooks:detail", endpoint_id=endpoint.public_id)


@manager_required
@require_POST
def endpoint_delete(request, endpoint_id):
    endpoint = _endpoint(request, endpoint_id)
    services.endpoint_delete(endpoint=endpoint, actor=request.membership)
    messages.success(request, f"Endpoint {endpoint.url} deleted; nothing more is sent to it.")
    return redirect("webhooks:list")


@manager_required
@require_POST
def delivery_redeliver(request, endpoint_id, delivery_id):
    endpoint = _endpoint(request, endpoint_id)
    delivery = selectors.delivery_get_for_endpoint(endpoint=endpoint, public_id=delivery_id)
    try:
        services.delivery_redeliver(delivery=delivery, actor=request.membership)
    except ValidationError as exc:
        _refused(request, exc)
    else:
        messages.success(request, "Sent again, with the same webhook-id.")
    return redirect("webhooks:detail", endpoint_id=endpoint.public_id)
