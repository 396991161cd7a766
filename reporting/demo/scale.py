"""Generate national-scale synthetic data for load tests and benchmarks.

Contract:
- `scale_generate(regions=…, seed=…)` creates `regions` synthetic regions (codes "S01", "S02",
  …, names "Synteettinen maakunta 01", …; they never clash with the demo regions "10", "13",
  "14", "16"), each with one organisation and one hanke of the national programme (created if
  missing), 5 top-level work packages with 2 sub-packages each, about 8 process goals per
  top-level package (0–3 HT tags each), `actions_per_region` actions (0–2 goals of their own
  hanke each; random status, weighted by where the schedule lies against 2025-06-30),
  `indicators_per_region` monthly indicators (1–2 goals each) with a baseline,
  1–4 yearly targets and `measurements_per_indicator` month-end measurements (source "demo",
  ending 2025-06-30), and `users` users "scale_user_0001"… with one membership each.
- Deterministic: every value comes from one `random.Random(seed)` consumed in a fixed order;
  no date depends on the clock (only the `created_at`/`updated_at` stamps do).
- Refuses (ValueError) when synthetic regions, organisations or users already exist, unless
  `replace=True`: then the synthetic hankkeet, regions, organisations and "scale_user_*"
  users are deleted first (without history rows: the data are synthetic).
- Writes with `bulk_create(batch_size=2000)` (M2M links through the through models), so no
  model `save()` runs and no signals fire; the history rows the past-date reads need are
  copied in the database (`portal.history_rows.history_copy`): the plan rows recorded on
  4.1.2021, each measurement on its period's last day.
- Runs in one transaction; returns the number of rows created per model label.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterable
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from datetime import UTC
from datetime import date
from datetime import datetime
from decimal import ROUND_HALF_UP
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import models
from django.db import transaction
from django.db.models import Q
from django.test.utils import override_settings

from measures.models import Indicator
from measures.models import Measurement
from measures.models import Target
from objectives.models import Action
from objectives.models import BenefitTarget
from objectives.models import ProcessGoal
from portal.history_rows import history_copy
from portal.periods import month_end
from portal.periods import parse_schedule
from projects.models import Membership
from projects.models import Organisation
from projects.models import Programme
from projects.models import Project
from projects.models import Region
from projects.models import WorkPackage
from reporting.models import ReportSnapshot

BATCH_SIZE = 2000
PROGRAMME_NAME = "Tulevaisuuden sosiaali- ja terveyskeskus -ohjelma"
REGION_CODE_REGEX = r"^S[0-9]{2}$"
ORGANISATION_PREFIX = "Synteettinen hyvinvointialue "
USERNAME_PREFIX = "scale_user_"
SOURCE_DOCUMENT = "synteettinen (generate_scale)"
MAX_REGIONS = 99
TOP_PACKAGES, SUB_PACKAGES = 5, 2
GOALS_PER_PACKAGE = (6, 10)
LAST_PERIOD = date(2025, 6, 30)
RECORDED = datetime(2021, 1, 4, 12, tzinfo=UTC)  # when the synthetic plan was "entered"
REASON = "synthetic scale data"
TARGET_YEARS = (2022, 2023, 2024, 2025)

STATUSES = ["not_started", "starting", "in_progress", "done", "cancelled"]
# Status weights by where the schedule lies relative to LAST_PERIOD, so the lights mix
# rather than turn all red: (ended, running, not yet begun).
STATUS_WEIGHTS = {
    "ended": [4, 3, 15, 70, 8],
    "running": [10, 15, 60, 10, 5],
    "ahead": [80, 12, 3, 0, 5],
}
ROLES = ["steering", "manager", "worker"]
ROLE_WEIGHTS = [2, 1, 5]
UNITS = ["percent", "count", "days"]
# How far along the way to the target a series gets; below zero it moves away from it.
PACES = [-0.3, 0.3, 0.6, 0.85, 0.95, 1.0, 1.05, 1.2]

VERBS = ["Kehitetään", "Otetaan käyttöön", "Pilotoidaan", "Arvioidaan", "Vakiinnutetaan"]
GOAL_VERBS = ["Parannetaan", "Lisätään", "Vahvistetaan", "Nopeutetaan", "Yhtenäistetään"]
SUBJECTS = [
    "digitaalinen palveluohjaus",
    "moniammatillinen tiimityö",
    "chat-palvelu",
    "etävastaanotto",
    "hoitotakuun seuranta",
    "asiakassegmentointi",
    "palvelutarpeen arviointi",
    "kotihoidon etäkäynnit",
    "mielenterveyspalveluiden porrasmalli",
    "suun terveydenhuollon ajanvaraus",
    "matalan kynnyksen palvelut nuorille",
    "ikäihmisten kuntoutus",
]
INDICATOR_NAMES = {
    "percent": ["Hoitoon pääsy 7 vrk:ssa", "Sähköisen asioinnin osuus", "Asiakastyytyväisyys"],
    "count": ["Asiakaskäyntien määrä", "Etävastaanottojen määrä", "Koulutettujen määrä"],
    "days": ["Odotusaika (T3)", "Kiireettömän hoidon odotusaika", "Jonon purkuaika"],
}


@dataclass
class _Run:
    """The generator's state: the one random source, the HT catalogue and the counts."""

    rng: random.Random
    hts: list[BenefitTarget]
    counts: Counter = field(default_factory=Counter)

    def create(self, model: type[models.Model], rows: list) -> list:
        created = model.objects.bulk_create(rows, batch_size=BATCH_SIZE)
        self.counts[model._meta.label] += len(created)
        if hasattr(model, "history"):  # recorded like any other write (measures.history)
            recorded = {"when_field": "period"} if model is Measurement else {"when": RECORDED}
            history_copy(
                model, [row.pk for row in created], kind="+", actor=None, reason=REASON, **recorded
            )
        return created

    def link(self, relation, pairs: Iterable[tuple[int, int]]) -> None:
        """Bulk-create M2M rows for `Model.m2m_field` from (source pk, target pk) pairs."""
        through, m2m = relation.through, relation.field
        source, target = m2m.m2m_field_name(), m2m.m2m_reverse_field_name()
        rows = [through(**{f"{source}_id": a, f"{target}_id": b}) for a, b in pairs]
        self.create(through, rows)


@dataclass
class _Branch:
    """A top-level work package with its sub-packages and the goals hung on it."""

    top: WorkPackage
    subs: list[WorkPackage]
    goals: list[ProcessGoal] = field(default_factory=list)


def synthetic_regions() -> models.QuerySet[Region]:
    return Region.objects.filter(code__regex=REGION_CODE_REGEX)


def _synthetic_users() -> models.QuerySet:
    return get_user_model().objects.filter(username__startswith=USERNAME_PREFIX)


def _synthetic_organisations() -> models.QuerySet[Organisation]:
    return Organisation.objects.filter(name_fi__startswith=ORGANISATION_PREFIX)


def scale_generate(
    *,
    regions: int,
    seed: int,
    actions_per_region: int = 500,
    indicators_per_region: int = 100,
    measurements_per_indicator: int = 60,
    users: int = 200,
    replace: bool = False,
) -> dict[str, int]:
    """Create the synthetic data set; return rows created per model label (e.g. "auth.User")."""
    _check_sizes(regions, actions_per_region, indicators_per_region, measurements_per_indicator)
    if users < 0:
        raise ValueError("users must not be negative.")
    with transaction.atomic():
        _clear_or_refuse(replace)
        run = _Run(rng=random.Random(seed), hts=list(BenefitTarget.objects.order_by("number")))
        programme, created = Programme.objects.get_or_create(
            name_fi=PROGRAMME_NAME,
            defaults={"start_date": date(2020, 1, 1), "end_date": date(2025, 12, 31)},
        )
        run.counts[Programme._meta.label] += int(created)
        projects = _create_projects(run, programme, regions)
        for project in projects:
            branches = _create_work_packages(run, project)
            _create_goals(run, project, branches)
            _create_actions(run, project, branches, actions_per_region)
            _create_indicators(
                run, project, branches, indicators_per_region, measurements_per_indicator
            )
        _create_users(run, projects, users)
    return dict(sorted(run.counts.items()))


def _check_sizes(regions: int, *per_region: int) -> None:
    if not 1 <= regions <= MAX_REGIONS:
        raise ValueError(f"regions must be between 1 and {MAX_REGIONS} (got {regions}).")
    if any(n < 0 for n in per_region):
        raise ValueError("actions, indicators and measurements must not be negative.")


# --- Replacing earlier synthetic data -------------------------------------------------------


def _clear_or_refuse(replace: bool) -> None:
    found = {
        "regions": synthetic_regions().count(),
        "organisations": _synthetic_organisations().count(),
        "users": _synthetic_users().count(),
    }
    if not any(found.values()):
        return
    if not replace:
        existing = ", ".join(f"{n} {name}" for name, n in found.items() if n)
        raise ValueError(
            f"Synthetic data already exist ({existing}); pass replace=True (--replace) "
            "to delete them and generate afresh."
        )
    _delete_synthetic()


def _delete_synthetic() -> None:
    """Delete the synthetic hankkeet (with everything under them), regions, orgs and users."""
    regions = synthetic_regions()
    projects = Project.objects.filter(region__in=regions)
    # Measurements are the bulk and nothing references them: delete them without loading.
    measurements = Measurement.objects.filter(indicator__project__in=projects)
    if not Measurement._meta.related_objects:
        measurements._raw_delete(measurements.db)
    # Synthetic rows need no deletion history; without it Django's cascade stays quick.
    with override_settings(SIMPLE_HISTORY_ENABLED=False):
        ReportSnapshot.objects.filter(Q(project__in=projects) | Q(region__in=regions)).delete()
        projects.delete()
        _synthetic_organisations().delete()
        regions.delete()
        _synthetic_users().delete()


# --- Regions, organisations, hankkeet ---------------------------------------------------------


def _create_projects(run: _Run, programme: Programme, count: int) -> list[Project]:
    regions = run.create(
        Region,
        [
            Region(
                code=f"S{n:02d}",
                name_fi=f"Synteettinen maakunta {n:02d}",
                name_en=f"Synthetic region {n:02d}",
                population=run.rng.randrange(60_000, 700_000),
                source_document=SOURCE_DOCUMENT,
            )
            for n in range(1, count + 1)
        ],
    )
    orgs = run.create(
        Organisation,
        [
            Organisation(
                name_fi=f"{ORGANISATION_PREFIX}{region.code[1:]}",
                kind="wellbeing_county",
                region=region,
                source_document=SOURCE_DOCUMENT,
            )
            for region in regions
        ],
    )
    return run.create(
        Project, [_project_row(run, programme, r, o) for r, o in zip(regions, orgs, strict=True)]
    )


def _project_row(run: _Run, programme: Programme, region: Region, org: Organisation) -> Project:
    return Project(
        programme=programme,
        region=region,
        coordinator=org,
        name_fi=f"Synteettinen hanke {region.code}",
        short_name=f"SYN-{region.code}",
        start_date=date(2020, run.rng.randint(1, 12), 1),
        end_date=date(2025, 12, 31),
        funding_total=Decimal(run.rng.randrange(2_000_000, 15_000_000, 1000)),
        description_fi="Synteettinen hanke kuormitus- ja suorituskykytestejä varten.",
        source_document=SOURCE_DOCUMENT,
    )


# --- Work packages and process goals ----------------------------------------------------------


def _subject(run: _Run) -> str:
    return run.rng.choice(SUBJECTS)


def _create_work_packages(run: _Run, project: Project) -> list[_Branch]:
    tops = run.create(
        WorkPackage,
        [
            WorkPackage(
                project=project,
                code=f"K{k}",
                name_fi=f"Kärki {k}: {_subject(run)}",
                kind_as_written="kärki",
                order=k * 10,
                source_document=SOURCE_DOCUMENT,
            )
            for k in range(1, TOP_PACKAGES + 1)
        ],
    )
    subs = [
        WorkPackage(
            project=project,
            parent=top,
            code=f"{top.code}.{j}",
            name_fi=f"Työpaketti {top.code[1:]}.{j}: {_subject(run)}",
            kind_as_written="työpaketti",
            order=top.order + j,
            source_document=SOURCE_DOCUMENT,
        )
        for top in tops
        for j in range(1, SUB_PACKAGES + 1)
    ]
    subs = run.create(WorkPackage, subs)
    return [_Branch(top, [s for s in subs if s.parent_id == top.pk]) for top in tops]


def _create_goals(run: _Run, project: Project, branches: list[_Branch]) -> None:
    rows: list[ProcessGoal] = []
    tags: list[list[BenefitTarget]] = []
    for branch in branches:
        for n in range(1, run.rng.randint(*GOALS_PER_PACKAGE) + 1):
            hts = _ht_tags(run)
            tags.append(hts)
            rows.append(
                ProcessGoal(
                    project=project,
                    work_package=branch.top,
                    number=f"P{branch.top.code[1:]}.{n}",
                    title_fi=f"{run.rng.choice(GOAL_VERBS)} {_subject(run)}",
                    ht_as_written=", ".join(ht.code for ht in hts),
                    target_date=date(run.rng.choice(TARGET_YEARS), 12, 31),
                    order=n,
                    source_document=SOURCE_DOCUMENT,
                )
            )
    goals = run.create(ProcessGoal, rows)
    run.link(ProcessGoal.benefit_targets, _pairs(goals, tags))
    by_top = {branch.top.pk: branch for branch in branches}
    for goal in goals:
        by_top[goal.work_package_id].goals.append(goal)


def _ht_tags(run: _Run) -> list[BenefitTarget]:
    picked = run.rng.sample(run.hts, run.rng.randint(0, min(3, len(run.hts))))
    return sorted(picked, key=lambda ht: ht.number)


def _pairs(sources: Sequence[models.Model], targets: Sequence[Sequence[models.Model]]):
    return [(s.pk, t.pk) for s, linked in zip(sources, targets, strict=True) for t in linked]


# --- Actions ----------------------------------------------------------------------------------


def _schedule_text(rng: random.Random) -> str:
    """A schedule in one of the forms the plans use; `parse_schedule` reads all of them."""
    year = rng.randint(2021, 2025)
    kind = rng.randrange(5)
    if kind == 0:
        first = rng.randint(1, 12)
        return f"{first}-{rng.randint(first, 12)}/{year}"
    if kind == 1:
        return str(year)
    if kind == 2:
        return f"Q{rng.randint(1, 4)}/{year}"
    if kind == 3:
        return f"{rng.randint(1, 12)}/{year}"
    first = min(year, 2024)
    return f"{first}-{rng.randint(first + 1, 2025)}"


def _status(rng: random.Random, start: date | None, end: date | None) -> str:
    if end is not None and end < LAST_PERIOD:
        phase = "ended"
    elif start is not None and start > LAST_PERIOD:
        phase = "ahead"
    else:
        phase = "running"
    return rng.choices(STATUSES, STATUS_WEIGHTS[phase])[0]


def _create_actions(run: _Run, project: Project, branches: list[_Branch], count: int) -> None:
    places = [(b, wp) for b in branches for wp in [b.top, *b.subs]]
    numbers: Counter = Counter()
    rows, links = [], []
    for n in range(1, count + 1):
        branch, package = run.rng.choice(places)
        numbers[package.code] += 1
        schedule = _schedule_text(run.rng)
        start, end = parse_schedule(schedule)
        links.append(run.rng.sample(branch.goals, min(run.rng.randint(0, 2), len(branch.goals))))
        rows.append(
            Action(
                project=project,
                work_package=package,
                number=f"{package.code}.{numbers[package.code]}",
                title_fi=f"{run.rng.choice(VERBS)} {_subject(run)} ({project.region.code}-{n:04d})",
                responsible_text=f"Vastuutaho {run.rng.randint(1, 20)}",
                schedule_text=schedule,
                planned_start=start,
                planned_end=end,
                status=_status(run.rng, start, end),
                order=n,
                source_document=SOURCE_DOCUMENT,
            )
        )
    actions = run.create(Action, rows)
    run.link(Action.goals, _pairs(actions, links))


# --- Indicators, targets, measurements --------------------------------------------------------


@dataclass
class _Series:
    """What an indicator's targets and measurements are drawn from."""

    unit: str
    baseline_date: date
    base: float
    goal: float


def _month_ends(count: int, last: date = LAST_PERIOD) -> list[date]:
    """`count` consecutive month ends up to and including `last`, oldest first."""
    index = last.year * 12 + last.month - 1
    ends = []
    for back in range(count - 1, -1, -1):
        year, month0 = divmod(index - back, 12)
        ends.append(month_end(year, month0 + 1))
    return ends


def _round_for(unit: str, value: float) -> Decimal:
    value = max(value, 0.0)
    if unit == "percent":
        value = min(value, 100.0)
    places = Decimal("0.1") if unit == "percent" else Decimal("1")
    return Decimal(f"{value:.4f}").quantize(places, rounding=ROUND_HALF_UP)


def _baseline_and_goal(rng: random.Random, unit: str, lower: bool) -> tuple[float, float]:
    if unit == "percent":
        base = rng.uniform(20, 75)
        step = rng.uniform(10, 25)
        return base, max(base - step, 0.0) if lower else min(base + step, 100.0)
    base = rng.uniform(14, 120) if unit == "days" else float(rng.randrange(20, 800))
    return base, base * (rng.uniform(0.5, 0.85) if lower else rng.uniform(1.2, 2.0))


def _create_indicators(
    run: _Run, project: Project, branches: list[_Branch], count: int, months: int
) -> None:
    goals = [goal for branch in branches for goal in branch.goals]
    ends = _month_ends(months + 1)
    baseline_date, periods = ends[0], ends[1:]
    rows, series, links = [], [], []
    for n in range(1, count + 1):
        row, drawn = _indicator_row(run, project, n, baseline_date)
        rows.append(row)
        series.append(drawn)
        links.append(run.rng.sample(goals, min(run.rng.randint(1, 2), len(goals))))
    indicators = run.create(Indicator, rows)
    run.link(Indicator.goals, _pairs(indicators, links))
    pairs = list(zip(indicators, series, strict=True))
    run.create(Target, [t for i, s in pairs for t in _targets(run, i, s)])
    run.create(Measurement, [m for i, s in pairs for m in _measurements(run, i, s, periods)])


def _indicator_row(
    run: _Run, project: Project, n: int, baseline_date: date
) -> tuple[Indicator, _Series]:
    unit = run.rng.choice(UNITS)
    lower = run.rng.random() < (0.8 if unit == "days" else 0.3)
    base, goal = _baseline_and_goal(run.rng, unit, lower)
    name = run.rng.choice(INDICATOR_NAMES[unit])
    baseline = _round_for(unit, base)
    row = Indicator(
        project=project,
        code=f"M{n:03d}",
        name_fi=f"{name}: {_subject(run)} ({project.region.code}-M{n:03d})",
        unit=unit,
        direction="lower" if lower else "higher",
        frequency="monthly",
        baseline_value=baseline,
        baseline_as_written=str(baseline),
        baseline_date=baseline_date,
        order=n,
        source_document=SOURCE_DOCUMENT,
    )
    return row, _Series(unit, baseline_date, base, goal)


def _targets(run: _Run, indicator: Indicator, series: _Series) -> list[Target]:
    """1–4 year-end targets on the straight line from the baseline to the final goal."""
    choices = [y for y in TARGET_YEARS if date(y, 12, 31) > series.baseline_date]
    choices = choices or [TARGET_YEARS[-1]]
    years = sorted(run.rng.sample(choices, run.rng.randint(1, len(choices))))
    final = date(years[-1], 12, 31)
    span = (final - series.baseline_date).days
    rows = []
    for year in years:
        when = date(year, 12, 31)
        share = (when - series.baseline_date).days / span
        value = _round_for(series.unit, series.base + (series.goal - series.base) * share)
        rows.append(
            Target(indicator=indicator, target_date=when, value=value, value_as_written=str(value))
        )
    return rows


def _measurements(
    run: _Run, indicator: Indicator, series: _Series, periods: list[date]
) -> list[Measurement]:
    """Month-end values moving towards the goal at a random pace (or away from it), with noise."""
    pace = run.rng.choice(PACES)
    spread = abs(series.goal - series.base) or 1.0
    rows = []
    for i, period in enumerate(periods, start=1):
        trend = (series.goal - series.base) * pace * i / len(periods)
        value = series.base + trend + run.rng.uniform(-0.05, 0.05) * spread
        rows.append(
            Measurement(
                indicator=indicator,
                period=period,
                value=_round_for(series.unit, value),
                source="demo",
                note="Synteettinen arvo (generate_scale), ei todellinen mittaustulos.",
            )
        )
    return rows


# --- Users ------------------------------------------------------------------------------------


def _create_users(run: _Run, projects: list[Project], count: int) -> None:
    User = get_user_model()
    rows = []
    for n in range(1, count + 1):
        username = f"{USERNAME_PREFIX}{n:04d}"
        user = User(
            username=username,
            first_name="Synteettinen",
            last_name=f"Käyttäjä {n:04d}",
            email=f"{username}@example.invalid",
        )
        user.set_unusable_password()
        rows.append(user)
    users = run.create(User, rows)
    memberships = [
        Membership(
            user=user,
            project=run.rng.choice(projects),
            role=run.rng.choices(ROLES, ROLE_WEIGHTS)[0],
        )
        for user in users
    ]
    run.create(Membership, memberships)
