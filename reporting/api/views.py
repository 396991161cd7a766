"""Read-only viewsets of the open data API: thin, the scoping lives in reporting.api.selectors."""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from drf_spectacular.utils import extend_schema_view
from drf_spectacular.views import SpectacularSwaggerSplitView
from rest_framework import viewsets

from . import selectors
from .selectors import api_actions
from .selectors import api_goals
from .selectors import api_indicators
from .selectors import api_measurements
from .selectors import api_projects
from .selectors import api_regions
from .serializers import ActionSerializer
from .serializers import GoalSerializer
from .serializers import IndicatorSerializer
from .serializers import MeasurementFilterSerializer
from .serializers import MeasurementSerializer
from .serializers import PlaceFilterSerializer
from .serializers import ProjectSerializer
from .serializers import RegionFilterSerializer
from .serializers import RegionSerializer


class _ScopedViewSet(viewsets.ReadOnlyModelViewSet):
    """A list and a detail of what `selector(user=…, **filters)` returns for the caller:
    a function of reporting.api.selectors; the filters are those the `filters` serializer
    reads from the query string of a list (none without one).

    A viewset is declared by its class keywords: `serializer`, `selector`, `filters`.
    Outside the caller's scope an object is simply not there (404), as on the pages.
    """

    filter_serializer = None
    selector: Callable[..., QuerySet]
    lookup_value_regex = r"[0-9]+"

    def __init_subclass__(cls, *, serializer, selector, filters=None, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        cls.serializer_class, cls.filter_serializer = serializer, filters
        cls.selector = staticmethod(selector)
        # The schema's query parameters of the list are those the filter serializer reads.
        extend_schema_view(list=extend_schema(parameters=[filters] if filters else []))(cls)

    def _filters(self) -> dict:
        if self.action != "list" or self.filter_serializer is None:
            return {}
        params = self.filter_serializer(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        return params.validated_data

    def get_queryset(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user, no data
            return self.serializer_class.Meta.model.objects.none()
        return self.selector(user=self.request.user, **self._filters())


class RegionViewSet(_ScopedViewSet, serializer=RegionSerializer, selector=api_regions):
    """Regions (hyvinvointialueet) with at least one hanke the caller may see."""


class ProjectViewSet(
    _ScopedViewSet,
    serializer=ProjectSerializer,
    selector=api_projects,
    filters=RegionFilterSerializer,
):
    """Hankkeet the caller may see."""


class GoalViewSet(
    _ScopedViewSet,
    serializer=GoalSerializer,
    selector=api_goals,
    filters=PlaceFilterSerializer,
):
    """Process goals of the hankkeet the caller may see."""


class ActionViewSet(
    _ScopedViewSet,
    serializer=ActionSerializer,
    selector=api_actions,
    filters=PlaceFilterSerializer,
):
    """Actions with their stored traffic light (null until the status engine has run)."""

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        return None if page is None else selectors.with_action_lights(page)

    def get_object(self):
        return selectors.with_action_lights([super().get_object()])[0]


class IndicatorViewSet(
    _ScopedViewSet,
    serializer=IndicatorSerializer,
    selector=api_indicators,
    filters=PlaceFilterSerializer,
):
    """Indicators (mittarit) with their progress and light as the status engine stored it."""


class MeasurementViewSet(
    _ScopedViewSet,
    serializer=MeasurementSerializer,
    selector=api_measurements,
    filters=MeasurementFilterSerializer,
):
    """Measured values of the indicators the caller may see."""


class ApiDocsView(SpectacularSwaggerSplitView):
    """Swagger UI under the site's Content Security Policy, with nothing inline.

    The split view serves its start-up code as a separate script from this same URL
    (`?script=`), so script-src 'self' allows it; our template replaces the package's inline
    <style> with a static stylesheet. Swagger UI's own JS and CSS come from the
    drf-spectacular-sidecar wheel through the static files.
    """

    template_name = "api/swagger_ui.html"
