"""The read-only open data API (issue 7 item 6): serializers, scoped selectors, viewsets, URLs."""
