"""Read-only viewsets of the open data API: thin, the scoping lives in reporting.api.selectors."""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from drf_spectacular.utils import extend_schema_view
from drf_spectacular.views import SpectacularSwaggerSplitView
from rest_framework import viewsets

from . import selectors
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
    a function of reporting.api.selectors; the filters are those `filter_serializer` reads
    from the query string of a list (none without one).

    Outside the caller's scope an object is simply not there (404), as on the pages.
    """

    filter_serializer = None
    selector: Callable[..., QuerySet]
    lookup_value_regex = r"[0-9]+"

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        # The schema's query parameters of the list are those the filter serializer reads.
        parameters = [cls.filter_serializer] if cls.filter_serializer else []
        extend_schema_view(list=extend_schema(parameters=parameters))(cls)

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


class RegionViewSet(_ScopedViewSet):
    """Regions (hyvinvointialueet) with at least one hanke the caller may see."""

    serializer_class = RegionSerializer
    selector = staticmethod(selectors.api_regions)


class ProjectViewSet(_ScopedViewSet):
    """Hankkeet the caller may see."""

    serializer_class = ProjectSerializer
    filter_serializer = RegionFilterSerializer
    selector = staticmethod(selectors.api_projects)


class GoalViewSet(_ScopedViewSet):
    """Process goals of the hankkeet the caller may see."""

    serializer_class = GoalSerializer
    filter_serializer = PlaceFilterSerializer
    selector = staticmethod(selectors.api_goals)


class ActionViewSet(_ScopedViewSet):
    """Actions with their stored traffic light (null until the status engine has run)."""

    serializer_class = ActionSerializer
    filter_serializer = PlaceFilterSerializer
    selector = staticmethod(selectors.api_actions)

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        return None if page is None else selectors.with_action_lights(page)

    def get_object(self):
        return selectors.with_action_lights([super().get_object()])[0]


class IndicatorViewSet(_ScopedViewSet):
    """Indicators (mittarit) with their progress and light as the status engine stored it."""

    serializer_class = IndicatorSerializer
    filter_serializer = PlaceFilterSerializer
    selector = staticmethod(selectors.api_indicators)


class MeasurementViewSet(_ScopedViewSet):
    """Measured values of the indicators the caller may see."""

    serializer_class = MeasurementSerializer
    filter_serializer = MeasurementFilterSerializer
    selector = staticmethod(selectors.api_measurements)


class ApiDocsView(SpectacularSwaggerSplitView):
    """Swagger UI under the site's Content Security Policy, with nothing inline.

    The split view serves its start-up code as a separate script from this same URL
    (`?script=`), so script-src 'self' allows it; our template replaces the package's inline
    <style> with a static stylesheet. Swagger UI's own JS and CSS come from the
    drf-spectacular-sidecar wheel through the static files.
    """

    template_name = "api/swagger_ui.html"
