"""Admin plumbing shared by the apps, so the admin site is not a second write path.

A `ServiceAdmin` shows its rows read-only by default. Its writes are actions and small forms
that call the app's services; a service's refusal becomes an admin error message (and goes back
on the form), never a 500.
"""

from collections.abc import Callable, Iterable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import quote
from django.contrib.auth import get_permission_codename
from django.core.exceptions import ValidationError
from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse

from qrsite.forms import add_service_errors


class ServiceAdmin(admin.ModelAdmin):
    """Nothing is added, changed or deleted through Django's generic model forms. An admin
    whose model has fields that no service governs lets them be edited by overriding the
    `has_*_permission` method with `has_model_permission`."""

    service_form_template = "admin/service_form.html"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_model_permission(self, request: HttpRequest, action: str) -> bool:
        codename = get_permission_codename(action, self.opts)
        return request.user.has_perm(f"{self.opts.app_label}.{codename}")

    def has_operate_permission(self, request: HttpRequest) -> bool:
        """Actions marked `permissions=["operate"]` call services; they need the model's change
        permission even though the change form itself is read-only."""
        return self.has_model_permission(request, "change")

    def run_each(
        self, request: HttpRequest, objects: Iterable[Model], call: Callable[[Any], Any], done: str
    ) -> int:
        """Call the service once per object, each in its own transaction, so one refusal
        (reported as an error message) does not undo the others."""
        count = 0
        for obj in objects:
            try:
                call(obj)
            except ValidationError as exc:
                self.message_user(request, f"{obj}: {' '.join(exc.messages)}", messages.ERROR)
            else:
                count += 1
        if count:
            self.message_user(request, f"{count} {done}.", messages.SUCCESS)
        return count

    def service_form_view(
        self,
        request: HttpRequest,
        form: forms.Form,
        run: Callable[[dict], Model],
        *,
        title: str,
        done: str,
        original: Model | None = None,
    ) -> HttpResponse:
        """A page with one form whose valid submission `run`s a service, which returns the
        object it wrote; the admin then shows that object."""
        if request.method == "POST" and form.is_valid():
            try:
                written = run(form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
                self.message_user(request, " ".join(exc.messages), messages.ERROR)
            else:
                name = self.opts.verbose_name.capitalize()
                self.message_user(request, f"{name} “{written}” {done}.", messages.SUCCESS)
                opts = written._meta
                return redirect(
                    reverse(
                        f"admin:{opts.app_label}_{opts.model_name}_change",
                        args=[quote(written.pk)],
                        current_app=self.admin_site.name,
                    )
                )
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "opts": self.opts,
            "original": original,
            "form": form,
            "media": self.media + form.media,
            "has_view_permission": self.has_view_permission(request),
        }
        return TemplateResponse(request, self.service_form_template, context)
