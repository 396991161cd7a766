"""Reads for indicators, scoped to the user (R5); each is a fixed number of queries."""

from __future__ import annotations

from django.db.models import Prefetch
from django.http import Http404

from projects.models import Project

from .models import Indicator, Measurement, Target


def indicator_list(*, user, project: Project) -> list[Indicator]:
    """The hanke's indicators with their computed progress and targets (two queries)."""
    return list(
        Indicator.objects.filter(project=project, project__in=Project.objects.visible_to(user))
        .select_related("progress")
        .prefetch_related(Prefetch("targets", queryset=Target.objects.order_by("target_date")))
        .order_by("order", "code")
    )


def indicator_get(*, user, pk: int) -> Indicator:
    indicator = (
        Indicator.objects.filter(pk=pk, project__in=Project.objects.visible_to(user))
        .select_related("project__region", "project__programme", "progress")
        .prefetch_related(
            Prefetch("targets", queryset=Target.objects.order_by("target_date")),
            Prefetch(
                "measurements",
                queryset=Measurement.objects.select_related("entered_by").order_by("-period"),
            ),
        )
        .first()
    )
    if indicator is None:
        raise Http404
    return indicator
