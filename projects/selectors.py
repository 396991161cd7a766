"""Reads for the projects app, scoped to the user (R5).

Every selector takes `user` and starts from `Project.objects.visible_to(user)`, so a user
without a role gets nothing. Query counts are fixed whatever the number of hankkeet.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from datetime import date
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import Count
from django.db.models import F
from django.db.models import Max
from django.db.models import Min
from django.db.models import Prefetch
from django.db.models import Q
from django.db.models import Sum
from django.db.models import Window
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from portal.lights import Assessment
from portal.people import person_name

from .access import Perm
from .access import can
from .access import roles_for
from .choices import BudgetCategory
from .choices import RiskStatus
from .finance import HIGH_FROM
from .finance import SPENDING_LABELS
from .finance import HeatCell
from .finance import HeatMap
from .finance import budget_period
from .finance import burn_points
from .finance import expected_share
from .finance import heat_map
from .finance import review_overdue
from .finance import risk_level
from .finance import risk_score
from .finance import spending_light
from .models import BudgetLine
from .models import Expenditure
from .models import Membership
from .models import PlanMilestone
from .models import PlanVersion
from .models import Project
from .models import Risk
from .money import CENT
from .money import share


def project_people(*, project: Project):
    """Users with an active role in the hanke: the choices for an action's owner."""
    members = Membership.objects.active().filter(project=project).values("user_id")
    return (
        get_user_model()
        .objects.filter(pk__in=members)
        .order_by("last_name", "first_name")
        .only("username", "first_name", "last_name", "email")
    )


def project_people_choices(*, project: Project) -> list[tuple[int, str]]:
    """`project_people` as (id, name), read as plain values (one query): a filter's choices,
    named as everywhere (`portal.people.person_name`)."""
    rows = project_people(project=project).values_list("pk", "first_name", "last_name", "username")
    return [(pk, person_name(first, last, username)) for pk, first, last, username in rows]


def in_scope_get(queryset, *, user, pk: int):
    """The row `pk` of `queryset` if it belongs to a hanke the user may see; 404 otherwise
    (one query, plus the queryset's prefetches)."""
    return get_object_or_404(queryset, pk=pk, project__in=Project.objects.visible_to(user))


def project_get(*, user, pk: int) -> Project:
    """One visible hanke (one query, and the user's roles unless read already); 404 outside
    the user's scope (`Project.objects.visible_to`'s rule, judged on the row read)."""
    rows = Project.objects.select_related("region", "programme").filter(pk=pk).order_by()
    project = next(iter(rows), None)
    if project is None or not can(user, Perm.VIEW, project):
        raise Http404
    return project


def plan_milestones(*, user, project: Project) -> list[PlanMilestone]:
    """The phases of the hanke's plan in the plan's order (one query; none for a user who
    cannot see the hanke). `project` comes from `project_get`, with its region."""
    if not can(user, Perm.VIEW, project):
        return []
    return _of_project(
        PlanMilestone.objects.filter(project=project).order_by("order", "key"), project
    )


def _of_project(rows, project: Project) -> list:
    """The rows with `project` set on each: their source labels name its region, read with
    it already (no join and no second copy of the hanke per row)."""
    rows = list(rows)
    for row in rows:
        row.project = project
    return rows


def plan_versions(*, user, project: Project) -> list[PlanVersion]:
    """The hanke's plan versions in the order they were issued (one query; none for a user
    who cannot see the hanke). `project` comes from `project_get`, with its region."""
    if not can(user, Perm.VIEW, project):
        return []
    return _of_project(
        PlanVersion.objects.filter(project=project).order_by("issued_on", "pk"), project
    )


def plan_follow_up(versions: list[PlanVersion]) -> list[PlanVersion]:
    """The plan versions that say how the hanke is followed up and reported."""
    return [version for version in versions if version.follow_up_fi]


# Managers first: they are whom a reader of the member list usually looks for.
_ROLE_ORDER = {"manager": 0, "worker": 1, "steering": 2}


def _member_sort_key(membership: Membership) -> tuple:
    user = membership.user
    return (_ROLE_ORDER.get(membership.role, 9), user.last_name, user.first_name, user.username)


def membership_list(*, user, project: Project) -> dict[str, list[Membership]]:
    """The people of a hanke (one query): `current`, `ended` and `regional` memberships.

    `regional` are region-wide roles (e.g. a regional steering group) that reach this hanke;
    they are managed by the programme office. `project` comes from `project_get`.
    """
    if not can(user, Perm.VIEW, project):
        return {"current": [], "ended": [], "regional": []}
    today = timezone.localdate()
    rows = sorted(
        Membership.objects.filter(
            Q(project=project) | Q(region_id=project.region_id)
        ).select_related("user"),
        key=_member_sort_key,
    )
    result: dict[str, list[Membership]] = {"current": [], "ended": [], "regional": []}
    for row in rows:
        row.is_ended = row.valid_to is not None and row.valid_to < today
        if row.project_id is None:
            result["regional"].append(row)
        else:
            result["ended" if row.is_ended else "current"].append(row)
    return result


def membership_get(*, user, pk: int) -> Membership:
    """A hanke membership in a hanke the user may see (one query); 404 otherwise."""
    queryset = Membership.objects.select_related("user", "project__region")
    return in_scope_get(queryset, user=user, pk=pk)


def _users_with_roles():
    User = get_user_model()
    memberships = Membership.objects.select_related("project", "region").order_by(
        "valid_to", "project__name_fi", "region__name_fi"
    )
    return User.objects.select_related("programme_role").prefetch_related(
        Prefetch("memberships", queryset=memberships)
    )


def _annotate_user(account, today) -> None:
    role = getattr(account, "programme_role", None)
    in_force = role is not None and (
        (role.valid_from is None or role.valid_from <= today)
        and (role.valid_to is None or role.valid_to >= today)
    )
    account.current_programme_role = role if in_force else None
    for membership in account.memberships.all():
        membership.is_ended = membership.valid_to is not None and membership.valid_to < today


def user_list(*, user) -> list:
    """Every account with its programme role and memberships (two queries).

    Only for Perm.MANAGE_PROGRAMME; anyone else gets an empty list.
    """
    if not can(user, Perm.MANAGE_PROGRAMME):
        return []
    today = timezone.localdate()
    accounts = list(_users_with_roles().order_by("last_name", "first_name", "username"))
    for account in accounts:
        _annotate_user(account, today)
    return accounts


def user_get(*, user, pk: int):
    """One account for the programme office (two queries); 404 for anyone else."""
    account = (
        _users_with_roles().filter(pk=pk).first() if can(user, Perm.MANAGE_PROGRAMME) else None
    )
    if account is None:
        raise Http404
    _annotate_user(account, timezone.localdate())
    return account


# --- Budget and spending, risk register (reusable by the steering group view) ---------------


@dataclass(frozen=True)
class BudgetRow:
    """Plan vs actual for one year (None: the whole hanke) and cost category."""

    year: int | None
    category: str
    category_label: str
    planned_programme: Decimal  # lines funded by the programme (state aid)
    planned_other: Decimal  # lines the plan funds from another source (own share…)
    has_plan: bool
    actual: Decimal

    @property
    def planned(self) -> Decimal:
        return self.planned_programme + self.planned_other

    @property
    def share_used(self) -> Decimal | None:
        return share(self.actual, self.planned) if self.has_plan else None


@dataclass(frozen=True)
class BurnPoint:
    day: date
    cumulative: Decimal
    expected: Decimal | None  # what the straight line expects spent by that day


class SpendingLight:
    """A value with a spending `light`, and the light's name as the budget pages give it."""

    light: Assessment

    @property
    def light_label(self) -> str:
        return str(SPENDING_LABELS[self.light.light])


@dataclass(frozen=True)
class BudgetSummary(SpendingLight):
    project: Project
    lines: list
    rows: list[BudgetRow]
    budget: Decimal | None
    budget_basis: str  # "funding_total" | "lines" | "totals" | "none"
    spent: Decimal
    period: tuple[date, date] | None
    expected_share: Decimal | None
    light: Assessment
    burn: list[BurnPoint]
    expenditures: list

    @property
    def share_used(self) -> Decimal | None:
        return share(self.spent, self.budget)

    @property
    def remaining(self) -> Decimal | None:
        return None if self.budget is None else self.budget - self.spent


def budget_basis(
    funding_total: Decimal | None, itemised: Decimal | None, totals: Decimal | None
) -> tuple[Decimal | None, str]:
    """What a hanke's spending is measured against: its total funding when the plan gives
    one, else the sum of its itemised lines, else its "total" lines (plans that give only a
    total); the plans' totals overlap their itemised lines, so they are never added up.
    `itemised` / `totals` are the sums of the lines with an amount (None: no such line)."""
    if funding_total is not None:
        return funding_total, "funding_total"
    if itemised is not None:
        return itemised, "lines"
    if totals is not None:
        return totals, "totals"
    return None, "none"


def _sum_or_none(amounts: list[Decimal]) -> Decimal | None:
    return sum(amounts, Decimal(0)) if amounts else None


def _budget_total(project: Project, lines: list) -> tuple[Decimal | None, str]:
    with_amount = [line for line in lines if line.amount is not None]
    return budget_basis(
        project.funding_total,
        _sum_or_none([line.amount for line in with_amount if line.category != "total"]),
        _sum_or_none([line.amount for line in with_amount if line.category == "total"]),
    )


@dataclass(frozen=True)
class BudgetUse:
    budget: Decimal | None
    spent: Decimal
    # The first and last year the budget lines name (None: none does), for the budget period.
    first_year: int | None = None
    last_year: int | None = None

    @property
    def share_used(self) -> Decimal | None:
        return share(self.spent, self.budget)


def budget_use_by_project(projects: list[Project]) -> dict[int, BudgetUse]:
    """Budget (same basis as `budget_summary`) and spending per hanke, set-based (two
    queries whatever the number of hankkeet). Permission: `projects` are already visible.

    The sums leave out lines without an amount (SUM skips NULL; a hanke whose lines have
    none gets NULL, as `budget_summary` gets None); the years count every line, as there."""
    ids = [p.pk for p in projects]
    lines = {
        row["project_id"]: row
        for row in BudgetLine.objects.filter(project_id__in=ids)
        .order_by()
        .values("project_id")
        .annotate(
            itemised=Sum("amount", filter=~Q(category="total")),
            totals=Sum("amount", filter=Q(category="total")),
            first_year=Min("year"),
            last_year=Max("year"),
        )
    }
    spent = dict(
        Expenditure.objects.filter(project_id__in=ids)
        .order_by()
        .values("project_id")
        .annotate(total=Sum("amount"))
        .values_list("project_id", "total")
    )
    result = {}
    for project in projects:
        row = lines.get(project.pk, {})
        budget, _basis = budget_basis(project.funding_total, row.get("itemised"), row.get("totals"))
        result[project.pk] = BudgetUse(
            budget,
            spent.get(project.pk) or Decimal(0),
            first_year=row.get("first_year"),
            last_year=row.get("last_year"),
        )
    return result


@dataclass(frozen=True)
class BudgetGlance(SpendingLight):
    """A hanke's budget use in a line: spent against the budget, and the spending light."""

    use: BudgetUse
    light: Assessment


def budget_glance(*, project: Project, today: date) -> BudgetGlance:
    """Budget use and spending light of one hanke for its summary (two aggregate queries,
    whatever the number of lines and expenses): the budget, period and light by the same
    rules as `budget_summary`, without reading its rows. Permission: `project` comes from
    `project_get`; everyone who may see a hanke may see its budget."""
    use = budget_use_by_project([project])[project.pk]
    programme = project.programme
    years = [year for year in (use.first_year, use.last_year) if year]
    period = budget_period(
        project_start=project.start_date,
        project_end=project.end_date,
        budget_years=years,
        programme_start=programme.start_date,
        programme_end=programme.end_date,
    )
    light = spending_light(
        budget=use.budget,
        spent=use.spent,
        period=period,
        today=today,
        thresholds=programme.spending_thresholds(),
    )
    return BudgetGlance(use=use, light=light)


def high_risks_by_project(project_ids: list[int]) -> dict[int, int]:
    """How many risks still followed are rated high, per hanke (one query)."""
    rows = (
        Risk.objects.filter(project_id__in=project_ids)
        .exclude(status=RiskStatus.CLOSED)
        .annotate(score=F("likelihood") * F("impact"))
        .filter(score__gte=HIGH_FROM)
        .order_by()
        .values("project_id")
        .annotate(n=Count("id"))
        .values_list("project_id", "n")
    )
    return dict(rows)


def _budget_rows(lines: list, expenditures: list) -> list[BudgetRow]:
    """Rows per (year, category). An expense counts on its own year's row of its category;
    when the plan budgets that category only for the whole hanke, on that row instead."""
    labels = dict(BudgetCategory.choices)
    plan: dict[tuple, list[Decimal]] = {}
    for line in lines:
        cell = plan.setdefault((line.year, line.category), [Decimal(0), Decimal(0)])
        cell[1 if line.funded_elsewhere else 0] += line.amount or Decimal(0)
    actual: dict[tuple, Decimal] = {}
    for expense in expenditures:
        key = (expense.date.year, expense.category)
        if key not in plan and (None, expense.category) in plan:
            key = (None, expense.category)
        actual[key] = actual.get(key, Decimal(0)) + expense.amount
    order = {value: i for i, value in enumerate(BudgetCategory.values)}
    keys = sorted(set(plan) | set(actual), key=lambda k: (k[0] is None, k[0] or 0, order[k[1]]))
    zero = [Decimal(0), Decimal(0)]
    return [
        BudgetRow(
            year=year,
            category=category,
            category_label=str(labels[category]),
            planned_programme=plan.get((year, category), zero)[0],
            planned_other=plan.get((year, category), zero)[1],
            has_plan=(year, category) in plan,
            actual=actual.get((year, category), Decimal(0)),
        )
        for year, category in keys
    ]


def _expected_on(budget: Decimal | None, period, day: date) -> Decimal | None:
    if budget is None or period is None:
        return None
    return (budget * expected_share(period, day)).quantize(CENT)


def budget_summary(*, project: Project, today: date) -> BudgetSummary:
    """Plan vs actual, share used, spending light and burn line of one hanke (two queries).

    Permission: `project` comes from `project_get` (the user may see it); everyone who may
    see a hanke may see its budget.
    """
    lines = list(BudgetLine.objects.filter(project=project))
    expenditures = list(
        Expenditure.objects.filter(project=project)
        .select_related("entered_by", "budget_line")
        .order_by("-date", "-id")
    )
    budget, basis = _budget_total(project, lines)
    spent = sum((e.amount for e in expenditures), Decimal(0))
    programme = project.programme
    period = budget_period(
        project_start=project.start_date,
        project_end=project.end_date,
        budget_years=[line.year for line in lines if line.year],
        programme_start=programme.start_date,
        programme_end=programme.end_date,
    )
    light = spending_light(
        budget=budget,
        spent=spent,
        period=period,
        today=today,
        thresholds=programme.spending_thresholds(),
    )
    burn = [
        BurnPoint(day, total, _expected_on(budget, period, day))
        for day, total in burn_points((e.date, e.amount) for e in expenditures)
    ]
    return BudgetSummary(
        project=project,
        lines=lines,
        rows=_budget_rows(lines, expenditures),
        budget=budget,
        budget_basis=basis,
        spent=spent,
        period=period,
        expected_share=expected_share(period, today) if period else None,
        light=light,
        burn=burn,
        expenditures=expenditures,
    )


def budget_lines_for_entry(*, project: Project):
    """The hanke's budget lines with an amount, to pick from when entering an expense."""
    return BudgetLine.objects.filter(project=project).exclude(category="total")


@dataclass(frozen=True)
class RiskRegister:
    project: Project
    risks: list
    heat_map: HeatMap
    overdue: int
    # The heat map's filled cells, highest score first, each with its risks by name: the
    # grid gives counts, this list says which risks they are (issue 18).
    cells: list = field(default_factory=list)


def _risks_by_cell(followed: list) -> list[tuple[HeatCell, list]]:
    by_rating: dict[tuple[int, int], list] = {}
    for risk in followed:
        if risk.likelihood and risk.impact:
            by_rating.setdefault((risk.likelihood, risk.impact), []).append(risk)
    cells = [
        (HeatCell(likelihood=likelihood, impact=impact, count=len(risks)), risks)
        for (likelihood, impact), risks in by_rating.items()
    ]
    return sorted(cells, key=lambda item: (-item[0].score, -item[0].likelihood))


def risk_register(*, project: Project, today: date) -> RiskRegister:
    """The hanke's risks with score, level and overdue marker, and the heat map (one query).

    Permission: `project` comes from `project_get`. The heat map counts the risks still
    followed (not closed); unrated risks are counted apart, never placed on the map.
    """
    risks = list(Risk.objects.filter(project=project).select_related("owner").order_by("id"))
    for risk in risks:
        risk.score = risk_score(risk.likelihood, risk.impact)
        risk.level = risk_level(risk.likelihood, risk.impact)
        risk.overdue = review_overdue(risk.next_review, status=risk.status, today=today)
    followed = [r for r in risks if r.status != RiskStatus.CLOSED]
    # Highest score first, unrated last, so the top risks lead the table.
    risks.sort(key=lambda r: (r.status == RiskStatus.CLOSED, -(r.score or 0), r.pk))
    return RiskRegister(
        project=project,
        risks=risks,
        heat_map=heat_map((r.likelihood, r.impact) for r in followed),
        overdue=sum(1 for r in risks if r.overdue),
        cells=_risks_by_cell(followed),
    )


@dataclass(frozen=True)
class TopRisks:
    """The first risks of the register (the highest scores of those still followed), and
    how many are followed and rated high."""

    risks: list  # highest score first, unrated last; each with `score` and `level` (or None)
    followed: int
    high: int


def top_risks(*, project: Project, limit: int) -> TopRisks:
    """The hanke's first `limit` risks still followed in the risk register's order (highest
    score first, unrated last, then the oldest), with the counts, for its summary: one query
    whatever the number of risks (the counts are window aggregates over every followed
    risk, taken before the limit). Permission: `project` comes from `project_get`."""
    followed = Risk.objects.filter(project=project).exclude(status=RiskStatus.CLOSED)
    scored = followed.annotate(score=F("likelihood") * F("impact"))
    risks = list(
        scored.annotate(
            n_followed=Window(Count("id")),
            n_high=Window(Count("id", filter=Q(score__gte=HIGH_FROM))),
        )
        .only("title", "likelihood", "impact", "project_id")
        .order_by(F("score").desc(nulls_last=True), "id")[:limit]
    )
    for risk in risks:  # an unrated risk (no score, no level) comes after the rated ones
        risk.level = risk_level(risk.likelihood, risk.impact)
    first = risks[0] if risks else None
    return TopRisks(
        risks=risks,
        followed=first.n_followed if first else 0,
        high=first.n_high if first else 0,
    )


def risk_get(*, user, pk: int) -> Risk:
    """One risk of a hanke the user may see (one query); 404 otherwise."""
    queryset = Risk.objects.select_related("project__region", "project__programme", "owner")
    return in_scope_get(queryset, user=user, pk=pk)


def risks_due_for_review(*, user, scope: str, today: date) -> list[Risk]:
    """Risks still followed whose review date has passed, for My work (one query).

    "mine": the risks the user owns; "hanke": every such risk of the hankkeet where the user
    has a role. Only hankkeet the user may see; the oldest review date first.
    """
    qs = Risk.objects.filter(
        project__in=Project.objects.visible_to(user), next_review__lt=today
    ).exclude(status=RiskStatus.CLOSED)
    if scope == "mine":
        qs = qs.filter(owner=user)
    else:
        roles = roles_for(user)
        qs = qs.filter(
            Q(project_id__in=list(roles.projects)) | Q(project__region_id__in=list(roles.regions))
        )
    return list(qs.select_related("project").order_by("next_review", "id"))
