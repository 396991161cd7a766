"""Limit/offset pagination with a ceiling, so no request can ask for the whole database."""

from __future__ import annotations

from rest_framework.pagination import LimitOffsetPagination

# PostgreSQL's OFFSET is a bigint; an offset past this is answered with an empty page.
_MAX_OFFSET = 2**62


class ApiPagination(LimitOffsetPagination):
    default_limit = 100
    max_limit = 1000

    def get_offset(self, request) -> int:
        return min(super().get_offset(request), _MAX_OFFSET)
