"""Reads for the "compare regions" page, scoped to the user (R5); a fixed number of queries.

The ministry and THL compare the hankkeet side by side, either on one benefit target (HT)
or on one indicator several hankkeet share. Everything comes from stored results
(`CurrentLight`, `IndicatorProgress`) and the measurements themselves: no rule is
recomputed here. The view lets in only `Perm.VIEW_PROGRAMME`, but every read still starts
from `Project.objects.visible_to(user)`.

What counts as a *shared indicator*: the same statistic from the same national data source,
i.e. the same `Indicator.source_system` + `source_id` in two or more visible hankkeet (for
example Sotkanet indicator 4123 in Keski-Suomi and in Etelä-Savo). Only the national sources
qualify (Sotkanet, FinSote, the waiting-time statistics), where an id means the same
definition in every region. Left out on purpose:
- indicator `code`s: each plan numbers its own indicators ("I1", "M1", "3.2.1"), so the
  same code in two hankkeet is a coincidence (every demo plan has an "I1", each different);
- names: written freely by each hanke (no two of the demo's 85 indicators share one, even
  where they measure nearly the same thing), so equal names would be luck and near-equal
  names guesswork;
- "local register" and "other" ids: they are ids in each region's own systems.
So the demo data, which has no national source ids, shares no indicator, and the page says
so; an indicator becomes comparable as soon as hankkeet record its Sotkanet id.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from dataclasses import field

from django.db.models import Count
from django.db.models import Max
from django.db.models import Prefetch

from measures.choices import SourceSystem
from measures.models import CurrentLight
from measures.models import Indicator
from measures.models import Measurement
from measures.models import RollupKind
from measures.models import Target
from portal.lights import Assessment
from portal.lights import Light
from portal.lights import Reason
from portal.lights import behind_counts
from portal.models_common import localized
from projects.models import Project

HT_NUMBERS = (1, 2, 3, 4, 5)
ALL_HTS = "all"
# National sources whose ids identify the same statistic in every region (see above).
SHARED_SOURCES = (SourceSystem.SOTKANET, SourceSystem.FINSOTE, SourceSystem.WAITING_TIMES)
_SEPARATOR = ":"


@dataclass(frozen=True)
class IndicatorKey:
    """What makes indicators of different hankkeet the same: source system and id there."""

    source_system: str
    source_id: str

    @property
    def value(self) -> str:
        """The form and URL value, e.g. "sotkanet:4123"."""
        return f"{self.source_system}{_SEPARATOR}{self.source_id}"

    @classmethod
    def parse(cls, value: str | None) -> IndicatorKey | None:
        """The key of a URL value, or None when it cannot be one (never raises)."""
        system, sep, source_id = (value or "").partition(_SEPARATOR)
        if not sep or system not in SHARED_SOURCES or not source_id.strip():
            return None
        return cls(system, source_id)


@dataclass(frozen=True)
class SharedIndicator:
    """An indicator key found in two or more of the hankkeet the user sees."""

    key: IndicatorKey
    name: str
    hankkeet: int

    @property
    def source_label(self) -> str:
        return f"{SourceSystem(self.key.source_system).label} {self.key.source_id}"


def shared_indicator_list(*, user) -> list[SharedIndicator]:
    """Indicator keys that two or more visible hankkeet share, by name (one query).

    The name shown is the indicator's name in the active language (Finnish when that is
    missing); hankkeet may word it differently, so the alphabetically last one is taken.
    """
    rows = (
        Indicator.objects.filter(
            project__in=Project.objects.visible_to(user), source_system__in=SHARED_SOURCES
        )
        .exclude(source_id="")
        .order_by()
        .values("source_system", "source_id")
        .annotate(
            hankkeet=Count("project", distinct=True),
            name_fi=Max("name_fi"),
            name_sv=Max("name_sv"),
            name_en=Max("name_en"),
        )
        .filter(hankkeet__gte=2)
    )
    shared = [
        SharedIndicator(
            IndicatorKey(row["source_system"], row["source_id"]),
            localized(_Names(row), "name"),
            row["hankkeet"],
        )
        for row in rows
    ]
    return sorted(shared, key=lambda s: (s.name.casefold(), s.key.value))


class _Names:
    """Attribute access to a values() row, for `localized`."""

    def __init__(self, row: dict):
        self.__dict__.update(row)


def _labels(projects: list[Project]) -> dict[int, str]:
    """Row labels: the region's name, with the hanke's where a region has several."""
    per_region: dict[int, int] = defaultdict(int)
    for project in projects:
        per_region[project.region_id] += 1
    return {
        p.pk: (
            p.region.display_name
            if per_region[p.region_id] == 1
            else f"{p.region.display_name}: {p.display_name}"
        )
        for p in projects
    }


# --- Benefit target (HT) mode ------------------------------------------------------------


@dataclass
class HtRow:
    project: Project
    label: str
    assessment: Assessment | None  # None: no stored light yet
    counts: dict[str, int]  # the lights it was rolled up from, by colour
    late_actions: int = 0
    indicators_off_track: int = 0

    @property
    def counted(self) -> int:
        return sum(self.counts.values())


@dataclass
class HtComparison:
    ht: int | None  # None: all benefit targets, i.e. the hanke's overall light
    rows: list[HtRow] = field(default_factory=list)


def compare_by_ht(*, user, ht: int | None) -> HtComparison:
    """Each visible hanke's stored light on HT `ht` (None: overall), side by side.

    Per hanke: the newest stored light of kind "project_ht" for that HT (kind "project" for
    all HTs) with its reason and the distribution of the lights it was rolled up from (the
    actions and indicators tagged with the HT or serving a goal tagged with it; for the
    overall light, all of the hanke's), the late actions (action light red) and the
    indicators off track (indicator light red) among the items it was rolled up from, as its
    reason counts them (`behind_counts`: the same items the light rests on, not read again).
    Two queries,
    whatever the number of hankkeet: the hankkeet and their lights (plus the user's roles,
    cached per request).
    """
    ht = ht if ht in HT_NUMBERS else None
    projects = list(
        Project.objects.visible_to(user)
        .select_related("region")
        .order_by("region__name_fi", "name_fi", "pk")
    )
    if not projects:
        return HtComparison(ht)
    ids = [p.pk for p in projects]

    lights = CurrentLight.objects.filter(project_id__in=ids)
    if ht:
        lights = lights.filter(kind=RollupKind.PROJECT_HT, ht=ht)
    else:
        lights = lights.filter(kind=RollupKind.PROJECT)
    stored = {
        project_id: (Assessment(Light(light), Reason(code, params or {})), counts or {})
        for project_id, light, code, params, counts in lights.values_list(
            "project_id", "light", "reason_code", "reason_params", "counts"
        )
    }
    labels = _labels(projects)
    rows = []
    for project in projects:
        assessment, counts = stored.get(project.pk, (None, {}))
        behind = behind_counts(assessment.reason.params) if assessment else {}
        rows.append(
            HtRow(
                project=project,
                label=labels[project.pk],
                assessment=assessment,
                counts=counts,
                late_actions=behind.get("action", 0),
                indicators_off_track=behind.get("indicator", 0),
            )
        )
    return HtComparison(ht, rows)


# --- Shared indicator mode -----------------------------------------------------------------


@dataclass
class IndicatorRow:
    indicator: Indicator  # with project, region, progress, targets and measurements loaded
    label: str
    measurements: list[Measurement]  # oldest first
    latest: Measurement | None
    final_target: Target | None
    assessment: Assessment | None  # the stored indicator light; None before the first run

    @property
    def latest_generated(self) -> bool:
        """The latest value was generated for the demo (source "demo")."""
        return self.latest is not None and self.latest.is_demo

    @property
    def light_generated(self) -> bool:
        """The stored light rests on a generated value (the one of its latest period)."""
        progress = getattr(self.indicator, "progress", None)
        period = progress.latest_period if progress is not None else None
        return any(m.is_demo for m in self.measurements if m.period == period)


@dataclass
class IndicatorComparison:
    key: IndicatorKey
    rows: list[IndicatorRow] = field(default_factory=list)

    @property
    def unit_label(self) -> str:
        """The unit for the chart's axis when every hanke uses the same one, else ""."""
        units = {row.indicator.unit for row in self.rows}
        return self.rows[0].indicator.get_unit_display() if len(units) == 1 else ""

    @property
    def has_measurements(self) -> bool:
        return any(row.measurements for row in self.rows)


def compare_by_indicator(*, user, key: IndicatorKey) -> IndicatorComparison:
    """The indicator `key` in every visible hanke that has it, with all its measurements.

    Per hanke: the latest measurement, the baseline, the final (last) target and the stored
    light with its reason. Three queries however many hankkeet and measurements: the
    indicators with hanke, region and stored progress, their targets, their measurements.
    """
    indicators = list(
        Indicator.objects.filter(
            project__in=Project.objects.visible_to(user),
            source_system=key.source_system,
            source_id=key.source_id,
        )
        .select_related("project__region", "progress")
        .prefetch_related(
            Prefetch("targets", queryset=Target.objects.order_by("target_date")),
            Prefetch("measurements", queryset=Measurement.objects.order_by("period")),
        )
        .order_by("project__region__name_fi", "project__name_fi", "code", "pk")
    )
    labels = _labels([i.project for i in indicators])
    rows = []
    for indicator in indicators:
        measurements = list(indicator.measurements.all())
        progress = getattr(indicator, "progress", None)
        rows.append(
            IndicatorRow(
                indicator=indicator,
                label=labels[indicator.project_id],
                measurements=measurements,
                latest=measurements[-1] if measurements else None,
                final_target=indicator.final_target,
                assessment=progress.assessment if progress else None,
            )
        )
    return IndicatorComparison(key, rows)
