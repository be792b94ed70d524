from collections.abc import Mapping

from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail

# Set by the server; a client that sends one is told so instead of being silently ignored.
SERVER_SET = frozenset(
    {
        "id",
        "workspace",
        "scans",
        "short_url",
        "image_url",
        "status",
        "created_at",
        "updated_at",
        "prefix",
        "last_used_at",
        "revoked",
        "code_count",
    }
)


class StrictSerializer(serializers.Serializer):
    """Input serializer that refuses unknown and read-only fields by name (400), so a typo like
    `destinaton` is an error rather than a silently created code without a destination."""

    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            writable = {name for name, field in self.fields.items() if not field.read_only}
            errors = {}
            for name in data:
                if name in writable:
                    continue
                if name in SERVER_SET:
                    errors[name] = [ErrorDetail("This field is set by the server.", "read_only")]
                else:
                    errors[name] = [ErrorDetail("Unknown field.", "unknown_field")]
            if errors:
                raise serializers.ValidationError(errors)
        return super().to_internal_value(data)
