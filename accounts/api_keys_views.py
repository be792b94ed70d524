"""Settings → API keys: owners and admins create keys (the secret is shown once, on the page
that answers the form, and never again), see them by prefix and revoke them."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from accounts import selectors, services
from accounts.decorators import manager_required
from accounts.forms import ApiKeyForm
from qrsite.forms import add_service_errors
from qrsite.htmx import page_or_fragment


def _context(request, form=None, new_key=None, new_secret=None):
    keys = []
    for api_key, usage in selectors.api_key_usage_for_workspace(workspace=request.workspace):
        api_key.usage = usage
        keys.append(api_key)
    return {
        "api_keys": keys,
        "has_test_keys": any(key.is_test for key in keys),
        "base_url": request.build_absolute_uri("/").rstrip("/"),
        "form": form or ApiKeyForm(),
        "new_key": new_key,
        "new_secret": new_secret,
    }


def _page(request, context, status=200):
    return page_or_fragment(
        request, "accounts/api_keys.html", context, fragment="keys", status=status
    )


@manager_required
def api_keys(request):
    return _page(request, _context(request))


@manager_required
@require_POST
def api_key_create(request):
    form = ApiKeyForm(request.POST)
    if form.is_valid():
        try:
            api_key, secret = services.api_key_create(
                workspace=request.workspace,
                actor=request.membership,
                name=form.cleaned_data["name"],
                scope=form.cleaned_data["scope"],
                expires_at=form.expires_at(),
                test=form.cleaned_data["test"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            # Rendered, not redirected: the secret exists only in this response.
            context = _context(request, new_key=api_key, new_secret=secret)
            response = _page(request, context, status=201 if request.htmx else 200)
            response["Cache-Control"] = "no-store"
            return response
    # 200 with the errors on the form: htmx does not swap 4xx responses in.
    return _page(request, _context(request, form=form))


@manager_required
@require_POST
def api_key_revoke(request, key_id):
    api_key = selectors.api_key_get_in_workspace(workspace=request.workspace, public_id=key_id)
    services.api_key_revoke(api_key=api_key, actor=request.membership)
    messages.success(
        request, f"Key “{api_key.name}” ({api_key.prefix}…) revoked. It stopped working at once."
    )
    return redirect("settings:api_keys")
