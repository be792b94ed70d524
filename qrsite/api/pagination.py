from django.conf import settings
from rest_framework import pagination
from rest_framework.exceptions import ValidationError


class CursorPagination(pagination.CursorPagination):
    """Opaque cursors over a stable order: pages neither skip nor repeat rows when codes are
    created while a client pages through them (page numbers would)."""

    page_size = settings.API_PAGE_SIZE
    max_page_size = settings.API_MAX_PAGE_SIZE
    page_size_query_param = "page_size"
    ordering = ("-created_at", "-id")

    def get_ordering(self, request, queryset, view):
        return getattr(view, "cursor_ordering", self.ordering)

    def decode_cursor(self, request):
        try:
            return super().decode_cursor(request)
        except Exception as exc:
            raise ValidationError(
                {"cursor": ["This cursor is not valid; start from the first page."]}
            ) from exc

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        try:
            size = int(raw)
        except ValueError:
            size = 0
        if not 1 <= size <= self.max_page_size:
            raise ValidationError(
                {"page_size": [f"Use a whole number from 1 to {self.max_page_size}."]}
            )
        return size
