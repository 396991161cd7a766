"""Reads for indicators, scoped to the user (R5); each is a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.paginator import Page
from django.db.models import Count
from django.db.models import F
from django.db.models import OuterRef
from django.db.models import Prefetch
from django.db.models import Q
from django.db.models import QuerySet
from django.db.models import Subquery
from django.db.models import Value
from django.db.models import prefetch_related_objects
from django.db.models.functions import Coalesce

from portal.lights import Assessment
from portal.lights import Light
from portal.lights import Reason
from portal.models_common import in_all_languages
from portal.paging import page_of
from portal.sorting import Sort
from portal.sorting import light_rank
from portal.sorting import order_by
from projects.access import Perm
from projects.access import can
from projects.models import Project
from projects.selectors import in_scope_get

from .choices import UNIT_SUFFIXES
from .choices import MeasurementSource
from .models import CurrentLight
from .models import Indicator
from .models import Measurement
from .models import Target
from .progress import Point
from .sparkline import Sparkline
from .sparkline import sparkline

# --- Stored lights (CurrentLight) of any kind of object ----------------------------------


def light_subquery(kind: str) -> Subquery:
    """The stored light (its value only) of the outer query's object, for reading or
    filtering many objects' colours in the database without building their assessments."""
    rows = CurrentLight.objects.filter(kind=kind, object_id=OuterRef("pk"), ht=0)
    return Subquery(rows.values("light")[:1])


def stored_lights_by_kind(wanted: dict[str, list[int]]) -> dict[str, dict[int, Assessment]]:
    """Today's stored light of each object asked for, by kind and then id, with its reason:
    one query for any number of kinds (`CurrentLight`, the rows for all HTs together; an
    object without a row is absent)."""
    found: dict[str, dict[int, Assessment]] = {kind: {} for kind in wanted}
    asked = {kind: set(ids) for kind, ids in wanted.items() if ids}
    if not asked:
        return found
    # Every asked id under every asked kind (two plain lists, not an OR per kind): a row of
    # another kind's id is read and passed over, at most a few per page.
    rows = (
        CurrentLight.objects.filter(
            kind__in=list(asked), object_id__in=sorted(set().union(*asked.values())), ht=0
        )
        .order_by()  # placed by id: no sort
        .values_list("kind", "object_id", "light", "reason_code", "reason_params")
    )
    for kind, object_id, light, code, params in rows:
        if object_id in asked[kind]:
            found[kind][object_id] = Assessment(Light(light), Reason(code, params or {}))
    return found


def stored_lights(kind: str, ids: list[int]) -> dict[int, Assessment]:
    """Today's stored light of each object of one kind, by id (one query)."""
    return stored_lights_by_kind({kind: ids})[kind]


def with_latest_source(indicators: QuerySet[Indicator]) -> QuerySet[Indicator]:
    """The indicators, each with `latest_source`: the source of the value its stored light
    rests on ("demo" for a generated value; `Indicator.latest_generated`).

    That value is the measurement of the period `IndicatorProgress.latest_period` (one per
    indicator and period), read as a correlated subquery on that unique index inside the
    query that reads the indicators and their progress: no query of its own, however many
    indicators. None before the status engine has run or when the indicator has no value.
    The status engine is not changed: the stored reason stays as computed, and the pages
    mark it where they show it.
    """
    source = (
        Measurement.objects.filter(
            indicator=OuterRef("pk"), period=OuterRef("progress__latest_period")
        )
        .order_by()  # one row at most: no ordering (the default one joins three tables)
        .values("source")[:1]
    )
    return indicators.annotate(latest_source=Subquery(source))


# The indicator table's sortable columns (`?jarjestys=`): plan order, code, light, latest value.
INDICATOR_SORTS = {
    "jarjestys": ("order", "code", "pk"),
    "tunnus": ("code", "pk"),
    "tila": ("light_rank", "order", "code", "pk"),
    "arvo": ("progress__latest_value", "order", "code", "pk"),
}


def indicator_list(*, user, project: Project, page=1, sort: Sort | None = None) -> Page:
    """One page (`portal.paging.PAGE_SIZE`) of the hanke's indicators in plan order or sorted
    by a column (INDICATOR_SORTS), with their computed progress and targets: three queries
    (count, page, targets), any size."""
    indicators = Indicator.objects.filter(project=project, retired_on__isnull=True)
    if not can(user, Perm.VIEW, project):  # the rule of `visible_to`, on the hanke in hand
        indicators = indicators.none()
    indicators = indicators.select_related("progress")
    sort = sort or Sort("jarjestys")
    if sort.key == "tila":
        indicators = indicators.annotate(light_rank=light_rank("progress__light"))
    indicators = with_latest_source(indicators.order_by(*order_by(sort, INDICATOR_SORTS)))
    shown = page_of(indicators, page)
    shown.object_list = list(shown.object_list)
    targets = Prefetch("targets", queryset=Target.objects.order_by("target_date"))
    prefetch_related_objects(shown.object_list, targets)
    return shown


@dataclass(frozen=True)
class OffTrack:
    """A hanke's indicators by light, and the worst of those off track (red) for its summary."""

    counts: dict[str, int]  # light → indicators; without a computed light: grey
    worst: list[Indicator]  # with `progress` and `latest_source`, the furthest behind first
    generated: int  # off-track indicators whose light rests on a generated (demo) value

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def off_track(self) -> int:
        return self.counts.get(Light.RED, 0)

    @property
    def assessed(self) -> int:
        """Those with a light other than grey: what the rollups count ("3/13 off track")."""
        return self.total - self.counts.get(Light.GREY, 0)


# What the hanke's summary names of an indicator off track: code, name, light and reason.
_GLANCE_FIELDS = (
    "code",
    *in_all_languages("name"),
    "project_id",
    "progress__light",
    "progress__reason_code",
    "progress__reason_params",
    "progress__latest_period",
)


def indicators_off_track(*, project: Project, limit: int) -> OffTrack:
    """The hanke's live indicators counted by their stored light, and the `limit` off track
    (red) that are furthest behind: the largest shortfall of progress against the progress
    expected by now, as the rollup reasons name their worst items. Two queries whatever the
    number of indicators: the counts grouped by light (an indicator without a computed light
    counts as grey; the off-track ones resting on a generated value counted apart), then the
    worst red ones. Permission: `project` comes from `project_get`."""
    live = Indicator.objects.filter(project=project, retired_on__isnull=True)
    grouped = (
        with_latest_source(live)
        .values(light_now=Coalesce("progress__light", Value(Light.GREY.value)))
        .annotate(
            n=Count("id"),
            generated=Count("id", filter=Q(latest_source=MeasurementSource.DEMO)),
        )
        .order_by()
    )
    counts, generated = {}, 0
    for row in grouped:
        counts[str(row["light_now"])] = row["n"]
        if row["light_now"] == Light.RED:
            generated = row["generated"]
    shortfall = F("progress__expected_progress") - F("progress__progress")
    worst = (
        with_latest_source(live.filter(progress__light=Light.RED.value))
        .select_related("progress")
        .only(*_GLANCE_FIELDS)
        .order_by(shortfall.desc(nulls_last=True), "order", "code", "pk")[:limit]
    )
    return OffTrack(counts=counts, worst=list(worst), generated=generated)


def _measurements() -> Prefetch:
    return Prefetch(
        "measurements",
        queryset=Measurement.objects.select_related("entered_by").order_by("-period"),
    )


def indicator_get(*, user, pk: int) -> Indicator:
    """The indicator with its targets and its values, newest first (three queries)."""
    queryset = (
        with_latest_source(Indicator.objects.all())
        .select_related("project__region", "project__programme", "progress")
        .prefetch_related(
            Prefetch("targets", queryset=Target.objects.order_by("target_date")),
            _measurements(),
        )
    )
    return in_scope_get(queryset, user=user, pk=pk)


def measurement_for_period(indicator: Indicator, period) -> Measurement | None:
    """The indicator's value for one period (a date or its ISO text), if there is one."""
    try:
        return indicator.measurements.filter(period=period).first()
    except (ValueError, ValidationError):
        return None


# --- Indicator cards on the hanke page (three queries, whatever the numbers) ---------------


@dataclass(frozen=True)
class IndicatorCard:
    """One indicator as a card: its light, latest value, baseline, final target and trend."""

    pk: int
    code: str
    name: str
    unit: str
    unit_suffix: str
    light: Assessment | None
    baseline: Decimal | None
    baseline_date: date | None
    target: Target | None
    series: tuple[Point, ...]  # ordered by period end
    sparkline: Sparkline
    generated: frozenset[date] = frozenset()  # periods whose value is generated (demo)
    light_period: date | None = None  # the period of the value the stored light rests on

    @property
    def latest(self) -> Point | None:
        return self.series[-1] if self.series else None

    @property
    def latest_generated(self) -> bool:
        """The latest value shown on the card was generated by the demo loader."""
        return bool(self.series) and self.series[-1].period in self.generated

    @property
    def light_generated(self) -> bool:
        """The stored light rests on a generated value."""
        return self.light_period is not None and self.light_period in self.generated

    @property
    def generated_count(self) -> int:
        return len(self.generated)

    @property
    def first(self) -> Point | None:
        return self.series[0] if self.series else None


MAX_PAGE = 100_000  # a page number beyond any hanke: larger ones are read as the last page


class CardList(list):
    """One page of cards, with how many indicators there are in all (`total`) and where the
    page starts (`start`, from 0) when only some are built."""

    total: int = 0
    start: int = 0
    size: int | None = None  # cards a page; None: all on one

    @property
    def number(self) -> int:
        return self.start // self.size + 1 if self.size else 1

    @property
    def has_previous(self) -> bool:
        return self.start > 0

    @property
    def has_next(self) -> bool:
        return self.start + len(self) < self.total

    @property
    def pages(self) -> int:
        return max(self.total - 1, 0) // self.size + 1 if self.size else 1

    @property
    def first_index(self) -> int:
        return self.start + 1 if self else 0

    @property
    def last_index(self) -> int:
        return self.start + len(self)


def _card_indicators(*, user, project: Project, ht: int | None) -> QuerySet[Indicator]:
    """The hanke's indicators in force that the user may see; with `ht`, that HT's only (an
    indicator belongs to an HT directly or through a process goal tagged with it)."""
    if not can(user, Perm.VIEW, project):  # the rule of `visible_to`, on the hanke in hand
        return Indicator.objects.none()
    indicators = Indicator.objects.filter(project=project, retired_on__isnull=True)
    if ht:  # the hanke's own rows only: the subqueries need not scan the programme's
        own = Indicator.benefit_targets.through.objects.filter(
            benefittarget__number=ht, indicator__project=project
        )
        by_goal = Indicator.goals.through.objects.filter(
            processgoal__benefit_targets__number=ht, processgoal__project=project
        )
        indicators = indicators.filter(
            Q(pk__in=own.values("indicator_id")) | Q(pk__in=by_goal.values("indicator_id"))
        )
    return indicators


def indicator_card_count(*, user, project: Project, ht: int | None = None) -> int:
    """How many cards `indicator_cards` would show in all (one query): what the folded
    cards section says before the cards are opened."""
    return _card_indicators(user=user, project=project, ht=ht).count()


def indicator_cards(
    *, user, project: Project, ht: int | None = None, limit: int | None = None, page: int = 1
) -> CardList:
    """The hanke's indicators as cards, in plan order; with `ht`, only that HT's indicators.

    An indicator belongs to an HT directly or through a process goal tagged with it (as the
    hanke page's HT filter treats actions). Empty for a user who cannot see the hanke. The
    light is the stored `IndicatorProgress` written by the status engine (None, shown as
    "no assessment", until the engine first runs). Three queries: the cards' indicators
    with their progress, their targets and their values (read as plain tuples), a fourth to
    count them when there are more than `limit`, plus the user's roles unless `visible_to`
    has already read them for this user object; only the cards drawn are read, however
    many indicators the hanke has. `page` (from 1) picks which `limit` cards; past the end,
    the last page.
    """
    indicators = _card_indicators(user=user, project=project, ht=ht)
    indicators = indicators.select_related("progress").order_by("order", "code")
    start = (min(max(page, 1), MAX_PAGE) - 1) * limit if limit else 0
    shown = list(indicators if limit is None else indicators[start : start + limit + 1])
    total = start + len(shown)
    if start and not shown:  # past the end: the last page
        total = indicators.count()
        start = max(total - 1, 0) // limit * limit
        shown = list(indicators[start : start + limit])
    elif limit is not None and len(shown) > limit:  # more than are drawn: how many in all
        shown, total = shown[:limit], indicators.count()
    # Targets and values only for the cards drawn (two queries, or none when empty); the
    # values as (indicator, period, value, source) tuples: a card draws dozens of them.
    prefetch_related_objects(
        shown, Prefetch("targets", queryset=Target.objects.order_by("target_date"))
    )
    series: dict[int, list[Point]] = {indicator.pk: [] for indicator in shown}
    generated: dict[int, set[date]] = {indicator.pk: set() for indicator in shown}
    values = Measurement.objects.filter(indicator__in=shown).order_by("period")
    for indicator_id, period, value, source in values.values_list(
        "indicator_id", "period", "value", "source"
    ):
        series[indicator_id].append(Point(period, value))
        if source == MeasurementSource.DEMO:
            generated[indicator_id].add(period)
    cards = CardList(
        _card(indicator, tuple(series[indicator.pk]), frozenset(generated[indicator.pk]))
        for indicator in shown
    )
    cards.total, cards.start, cards.size = total, start, limit
    return cards


def _card(
    indicator: Indicator, series: tuple[Point, ...], generated: frozenset[date] = frozenset()
) -> IndicatorCard:
    target = indicator.final_target
    progress = getattr(indicator, "progress", None)  # no row until the engine first runs
    return IndicatorCard(
        pk=indicator.pk,
        code=indicator.code,
        name=indicator.display_name,
        unit=indicator.unit,
        unit_suffix=str(UNIT_SUFFIXES.get(indicator.unit, "")),
        light=progress.assessment if progress is not None else None,
        baseline=indicator.baseline_value,
        baseline_date=indicator.baseline_date,
        target=target,
        series=series,
        sparkline=sparkline(
            [(p.period, p.value) for p in series],
            baseline=indicator.baseline_value,
            target=target.value if target is not None else None,
        ),
        generated=generated,
        light_period=progress.latest_period if progress is not None else None,
    )
