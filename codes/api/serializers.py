"""Shapes of the codes API: the seed's field names (`destination`, `type`, `group`, `size`,
`format`, `foreground_color`, ...) and the render spec's names for every other style option.
Serializers check types and shapes only; the services and the render engine decide what is
allowed and say why."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from codes.models import Kind
from codes.rendering import (
    CONTENT_TYPES,
    ERROR_LEVELS,
    FINDER_BALL_SHAPES,
    FINDER_FRAME_SHAPES,
    FORMATS,
    FRAMES,
    MODULE_SHAPES,
)
from codes.rendering.engine import MAX_DPI, MAX_SIZE, MIN_DPI, MIN_SIZE
from codes.services import code_image_digest
from qrsite.api.serializers import StrictSerializer

DEFAULT_FORMAT = "png"
DEFAULT_SIZE = 400


def _opt(field_class, **kwargs):
    return field_class(required=False, **kwargs)


def style_fields() -> dict[str, serializers.Field]:
    """The render spec's options, accepted at the top level of a request (like the seed's
    `foreground_color`) or inside a `style` object."""
    return {
        "foreground_color": _opt(serializers.CharField, help_text="Hex colour, e.g. #000000."),
        "background_color": _opt(
            serializers.CharField, help_text="Hex colour; #RRGGBBAA or transparent allowed."
        ),
        "gradient": _opt(
            serializers.DictField,
            allow_null=True,
            help_text="{start_color, end_color, kind: linear|radial, angle}",
        ),
        "error_correction": _opt(serializers.ChoiceField, choices=ERROR_LEVELS),
        "margin": _opt(serializers.IntegerField, help_text="Quiet zone in modules (2-16)."),
        "module_shape": _opt(serializers.ChoiceField, choices=MODULE_SHAPES),
        "finder_frame_shape": _opt(serializers.ChoiceField, choices=FINDER_FRAME_SHAPES),
        "finder_ball_shape": _opt(serializers.ChoiceField, choices=FINDER_BALL_SHAPES),
        "finder_frame_color": _opt(serializers.CharField, allow_null=True),
        "finder_ball_color": _opt(serializers.CharField, allow_null=True),
        "logo_size": _opt(serializers.FloatField, help_text="Logo width / code width."),
        "frame": _opt(serializers.ChoiceField, choices=FRAMES),
        "label": _opt(serializers.CharField, allow_blank=True, trim_whitespace=False),
        "label_font_size": _opt(serializers.IntegerField),
        "label_color": _opt(serializers.CharField, allow_null=True),
        "frame_color": _opt(serializers.CharField, allow_null=True),
        "allow_inverted": _opt(serializers.BooleanField),
    }


STYLE_FIELDS = tuple(style_fields())


def split_style(data: dict) -> dict | None:
    """The style options given, from the `style` object and the top level together."""
    given = {name: data.pop(name) for name in STYLE_FIELDS if name in data}
    nested = data.pop("style", None)
    if nested is None and not given:
        return None
    style = dict(nested or {})
    clash = sorted(set(style) & set(given))
    if clash:
        raise serializers.ValidationError(
            {clash[0]: ["Given both at the top level and in `style`; send it once."]}
        )
    style.update(given)
    return style


class _StyleMixin(StrictSerializer):
    style = serializers.DictField(required=False, help_text="Style options as one object.")

    def get_fields(self):
        fields = super().get_fields()
        fields.update(style_fields())
        return fields


class _OutputMixin(StrictSerializer):
    format = serializers.ChoiceField(choices=FORMATS, required=False, default=DEFAULT_FORMAT)
    size = serializers.IntegerField(
        required=False, default=DEFAULT_SIZE, min_value=MIN_SIZE, max_value=MAX_SIZE
    )


class ImageQuerySerializer(StrictSerializer):
    """`?format=svg&size=800&dpi=600&margin=2&transparent=true` on GET /codes/{id}/image;
    format and size default to what the code was created with."""

    format = serializers.ChoiceField(choices=FORMATS, required=False)
    size = serializers.IntegerField(required=False, min_value=MIN_SIZE, max_value=MAX_SIZE)
    dpi = serializers.IntegerField(
        required=False,
        default=300,
        min_value=MIN_DPI,
        max_value=MAX_DPI,
        help_text="Dots per inch written into PNG/JPEG and used for the PDF page size.",
    )
    margin = serializers.IntegerField(
        required=False, help_text="Quiet zone in modules (2-16), for this image only."
    )
    transparent = serializers.BooleanField(
        required=False, default=False, help_text="No background (PNG, WebP, SVG, PDF)."
    )
    v = serializers.CharField(
        required=False,
        help_text="The design version `image_url` carries; with it the answer may be cached "
        "for a year (the URL changes when the design does).",
    )


@extend_schema_field(
    {
        "oneOf": [
            {"type": "object", "additionalProperties": {}},
            {"type": "string", "pattern": "^tpl_", "description": "A brand style's id."},
        ]
    }
)
class StyleOrTemplateField(serializers.Field):
    """Style options as one object, or a brand style's id (`"tpl_..."`) to apply."""

    default_error_messages = {"invalid": "Give style options as an object or a brand style id."}

    def to_internal_value(self, data):
        if isinstance(data, dict):
            return dict(data)
        if isinstance(data, str) and data.startswith("tpl_"):
            return data
        self.fail("invalid")

    def to_representation(self, value):
        return value


class CodeCreateSerializer(_OutputMixin, _StyleMixin):
    destination = serializers.CharField(required=False, allow_blank=True)
    type = serializers.ChoiceField(choices=Kind.values, required=False, default=Kind.STATIC)
    name = serializers.CharField(required=False, allow_blank=True)
    group = serializers.CharField(
        required=False, allow_null=True, help_text="A group's slug or id; a new slug creates it."
    )
    content_type = serializers.ChoiceField(
        choices=list(CONTENT_TYPES), required=False, default="url"
    )
    content = serializers.DictField(required=False, help_text="Fields of a non-URL content type.")
    slug = serializers.CharField(required=False, help_text="Custom short slug (dynamic codes).")
    logo = serializers.CharField(required=False, allow_null=True, help_text="A logo id.")
    is_active = serializers.BooleanField(required=False, default=True)
    expires_at = serializers.DateTimeField(required=False, allow_null=True)
    scan_limit = serializers.IntegerField(required=False, allow_null=True)
    metadata = serializers.DictField(required=False)
    external_id = serializers.CharField(required=False, allow_blank=True)
    pass_query_string = serializers.BooleanField(required=False, default=False)

    def get_fields(self):
        fields = super().get_fields()
        fields["style"] = StyleOrTemplateField(
            required=False,
            help_text="Style options as one object, or a brand style id (tpl_...) to apply; "
            "options sent at the top level override the brand style's.",
        )
        return fields

    def validate(self, attrs):
        if isinstance(attrs.get("style"), str):
            template = attrs.pop("style")
            overrides = split_style(attrs) or {}
            attrs["style"] = template
            attrs["style_overrides"] = overrides
            return attrs
        attrs["style"] = split_style(attrs)
        return attrs


class CodeUpdateSerializer(_StyleMixin):
    """PATCH: only what is sent changes; style options merge into the code's style."""

    destination = serializers.CharField(required=False, allow_blank=True)
    name = serializers.CharField(required=False, allow_blank=True)
    group = serializers.CharField(required=False, allow_null=True)
    content = serializers.DictField(required=False)
    logo = serializers.CharField(required=False, allow_null=True)
    is_active = serializers.BooleanField(required=False)
    expires_at = serializers.DateTimeField(required=False, allow_null=True)
    scan_limit = serializers.IntegerField(required=False, allow_null=True)
    metadata = serializers.DictField(required=False)
    external_id = serializers.CharField(required=False, allow_blank=True)
    pass_query_string = serializers.BooleanField(required=False)

    def validate(self, attrs):
        style = split_style(attrs)
        if style is not None:
            attrs["style"] = style
        return attrs


class RenderSerializer(_OutputMixin, _StyleMixin):
    destination = serializers.CharField(required=False, help_text="A URL to encode.")
    content_type = serializers.ChoiceField(
        choices=list(CONTENT_TYPES), required=False, default="url"
    )
    content = serializers.DictField(required=False)
    logo = serializers.CharField(required=False, allow_null=True, help_text="A logo id.")

    def validate(self, attrs):
        attrs["style"] = split_style(attrs) or {}
        return attrs


class CheckReportSerializer(serializers.Serializer):
    """What the guard found: read back by each decoder as delivered and under each condition."""

    ok = serializers.BooleanField(help_text="The image may be handed out.")
    score = serializers.FloatField(help_text="Share of the real-world conditions survived (0-1).")
    robust = serializers.BooleanField(help_text="Every condition survived.")
    weakest = serializers.CharField(allow_null=True, help_text="The first condition failed.")
    fix = serializers.CharField(allow_null=True, help_text="The change that helps the weakest.")
    fix_field = serializers.CharField(allow_null=True)
    errors = serializers.DictField(child=serializers.CharField(), help_text="field -> reason")
    warnings = serializers.ListField(child=serializers.CharField())
    decoders = serializers.ListField(child=serializers.CharField())
    read_by = serializers.DictField(child=serializers.BooleanField())
    conditions = serializers.DictField(
        child=serializers.DictField(child=serializers.BooleanField()),
        help_text="condition -> decoder -> read",
    )
    size = serializers.IntegerField(
        allow_null=True, help_text="Raster width judged; null for SVG/PDF (judged for print)."
    )
    px_per_module = serializers.IntegerField(allow_null=True)
    min_size = serializers.IntegerField(
        allow_null=True, help_text="Smallest raster width (px) this design works at."
    )
    min_print_size_mm = serializers.FloatField(allow_null=True)
    contrast_ratio = serializers.FloatField(allow_null=True)
    error_correction = serializers.CharField()
    version = serializers.IntegerField(allow_null=True)
    modules = serializers.IntegerField(allow_null=True)
    logo_coverage = serializers.FloatField()


class BulkCreateSerializer(StrictSerializer):
    codes = serializers.ListField(
        child=serializers.DictField(),
        min_length=1,
        max_length=settings.API_BULK_MAX,
        help_text="The codes, each with the fields of POST /codes.",
    )
    defaults = serializers.DictField(
        required=False, help_text="Fields every code gets unless it sets them itself."
    )


class BulkIdsSerializer(StrictSerializer):
    ids = serializers.ListField(
        child=serializers.CharField(), min_length=1, max_length=settings.API_BULK_MAX
    )

    def validate_ids(self, ids):
        if len(set(ids)) != len(ids):
            raise serializers.ValidationError("Each id may appear once.")
        return ids


class BulkUpdateSerializer(BulkIdsSerializer):
    is_active = serializers.BooleanField(required=False)
    group = serializers.CharField(
        required=False, allow_null=True, help_text="Move to this group (slug or id); null: none."
    )

    def validate(self, attrs):
        if "is_active" not in attrs and "group" not in attrs:
            raise serializers.ValidationError("Send is_active, group or both.")
        return attrs


# --- output -------------------------------------------------------------------------------------


class CodeSerializer(serializers.Serializer):
    id = serializers.CharField(source="public_id")
    type = serializers.CharField(source="kind")
    name = serializers.CharField()
    destination = serializers.SerializerMethodField()
    short_url = serializers.SerializerMethodField()
    image_url = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    scans = serializers.IntegerField(source="scan_count")
    status = serializers.CharField()
    is_active = serializers.BooleanField()
    group = serializers.SerializerMethodField()
    content_type = serializers.CharField()
    content = serializers.SerializerMethodField()
    logo = serializers.SerializerMethodField()
    expires_at = serializers.DateTimeField(allow_null=True)
    scan_limit = serializers.IntegerField(allow_null=True)
    metadata = serializers.DictField()
    external_id = serializers.CharField()
    pass_query_string = serializers.BooleanField()
    style = serializers.DictField()

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_destination(self, code) -> str | None:
        return code.destination or None

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_short_url(self, code) -> str | None:
        return code.short_url or None

    @extend_schema_field(OpenApiTypes.URI)
    def get_image_url(self, code) -> str:
        """The image as created (format and size), with the design's version: the URL changes
        when the design does, so what it answers may be cached for good."""
        path = reverse("api:v1:code-image", kwargs={"id": code.public_id})
        fmt, size = code.image_format, code.image_size
        version = code_image_digest(code=code, format=fmt, size=size)[:16]
        url = f"{path}?format={fmt}&size={size}&v={version}"
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None else url

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_group(self, code) -> str | None:
        return code.group.slug if code.group_id else None

    @extend_schema_field(serializers.DictField(allow_null=True))
    def get_content(self, code) -> dict | None:
        return None if code.content_type == "url" else code.content

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_logo(self, code) -> str | None:
        return code.logo.public_id if code.logo_id else None


class GroupSerializer(serializers.Serializer):
    id = serializers.CharField(source="public_id")
    name = serializers.CharField()
    slug = serializers.CharField()
    description = serializers.CharField()
    color = serializers.CharField()
    archived = serializers.BooleanField(source="is_archived")
    code_count = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class GroupCreateSerializer(StrictSerializer):
    name = serializers.CharField(allow_blank=True)
    slug = serializers.CharField(
        required=False, help_text="How codes name the group; default: from the name."
    )
    description = serializers.CharField(required=False, allow_blank=True)
    color = serializers.CharField(required=False, help_text="Hex colour for the dashboard.")


class GroupUpdateSerializer(StrictSerializer):
    name = serializers.CharField(required=False, allow_blank=True)
    slug = serializers.CharField(required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    color = serializers.CharField(required=False)
    archived = serializers.BooleanField(required=False)


class DestinationChangeSerializer(serializers.Serializer):
    id = serializers.CharField(source="public_id")
    old_destination = serializers.SerializerMethodField()
    new_destination = serializers.CharField()
    changed_at = serializers.DateTimeField()
    changed_by = serializers.SerializerMethodField()
    restored_from = serializers.SerializerMethodField()

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_old_destination(self, change) -> str | None:
        return change.old_destination or None

    @extend_schema_field(serializers.EmailField(allow_null=True))
    def get_changed_by(self, change) -> str | None:
        return change.changed_by.email if change.changed_by_id else None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_restored_from(self, change) -> str | None:
        return change.restored_from.public_id if change.restored_from_id else None
