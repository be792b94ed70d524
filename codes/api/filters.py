"""Query parameters of GET /codes. The selector applies what it knows (group, type, active,
search, external id); the created range and metadata are narrowed here."""

import re
from datetime import UTC, timedelta

import django_filters
from django import forms
from django.db.models.fields.json import KeyTextTransform
from django.http import Http404
from rest_framework.exceptions import ValidationError

from codes import selectors
from codes.models import Kind

METADATA_KEY_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def _metadata_key(value: str, field: str) -> str:
    if not METADATA_KEY_RE.match(value):
        raise ValidationError({field: ["Use 1-64 letters, digits, “-” or “_” as the key."]})
    return value


# The widest offset in use (Kiribati, UTC+14); PostgreSQL refuses offsets from ±16:00 on.
MAX_UTC_OFFSET = timedelta(hours=14)


class _InstantField(django_filters.fields.IsoDateTimeField):
    def to_python(self, value):
        value = super().to_python(value)
        if value is None:
            return None
        if abs(value.utcoffset()) > MAX_UTC_OFFSET:
            raise forms.ValidationError("Use a time zone offset between -14:00 and +14:00.")
        try:
            value.astimezone(UTC)
        except OverflowError:  # e.g. 9999-12-31T23:59-10:00 is past the largest datetime
            raise forms.ValidationError(
                "Give a date between the years 1 and 9999 in UTC."
            ) from None
        return value


class InstantFilter(django_filters.IsoDateTimeFilter):
    """An ISO 8601 date and time that names a real instant every database can compare with."""

    field_class = _InstantField


class CodeFilter(django_filters.FilterSet):
    group = django_filters.CharFilter(
        method="_noop", help_text="A group's slug or id; `none` for codes in no group."
    )
    type = django_filters.ChoiceFilter(method="_noop", choices=Kind.choices)
    active = django_filters.TypedChoiceFilter(
        field_name="is_active",
        method="_noop",
        choices=[("true", "true"), ("false", "false")],
        coerce=lambda value: value == "true",
    )
    search = django_filters.CharFilter(
        method="_noop", help_text="Part of the name or destination, or an exact id or slug."
    )
    external_id = django_filters.CharFilter(method="_noop")
    created_after = InstantFilter(method="_noop")
    created_before = InstantFilter(method="_noop")
    metadata_key = django_filters.CharFilter(method="_noop", help_text="Has this metadata key.")
    metadata = django_filters.CharFilter(
        method="_noop", help_text="`key:value`: metadata[key] equals value (compared as text)."
    )

    def _noop(self, queryset, name, value):
        return queryset

    def filter_queryset(self, queryset):
        data = self.form.cleaned_data
        workspace = self.request.auth.workspace
        sandbox = bool(getattr(self.request.auth, "is_test", False))
        group, ungrouped = None, False
        if data.get("group") == "none":
            ungrouped = True
        elif data.get("group"):
            value = data["group"]
            lookup = {"public_id": value} if value.startswith("grp_") else {"slug": value}
            try:
                group = selectors.group_get_for_workspace(
                    workspace=workspace, sandbox=sandbox, **lookup
                )
            except Http404:
                return queryset.none()
        codes = selectors.code_list_for_workspace(
            workspace=workspace,
            group=group,
            ungrouped=ungrouped,
            kind=data.get("type") or None,
            is_active=data.get("active") if data.get("active") != "" else None,
            search=data.get("search") or None,
            external_id=data.get("external_id") or None,
            sandbox=sandbox,
        )
        if data.get("created_after"):
            codes = codes.filter(created_at__gte=data["created_after"])
        if data.get("created_before"):
            codes = codes.filter(created_at__lt=data["created_before"])
        if data.get("metadata_key"):
            codes = codes.filter(
                metadata__has_key=_metadata_key(data["metadata_key"], "metadata_key")
            )
        if data.get("metadata"):
            key, sep, value = data["metadata"].partition(":")
            if not sep:
                raise ValidationError({"metadata": ["Use key:value."]})
            key = _metadata_key(key, "metadata")
            codes = codes.annotate(_meta_value=KeyTextTransform(key, "metadata")).filter(
                _meta_value=value
            )
        return codes
