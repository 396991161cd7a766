"""Reads of the plan pages: one part of a hanke's plan at a time (a page of 50 rows), and a
plan version compared with the plan before it. Every read costs a fixed number of queries,
whatever the size of the plan. The caller has checked that the user may see the hanke.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import datetime
from datetime import timedelta
from decimal import Decimal

from django.core.paginator import Page
from django.db.models import Count
from django.db.models import Prefetch
from django.db.models import Q
from django.http import Http404
from django.utils.formats import date_format
from django.utils.formats import number_format
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from measures.history import end_of_day
from measures.models import Indicator
from measures.models import Target
from objectives.models import Action
from objectives.models import BenefitTarget
from objectives.models import ProcessGoal
from portal.models_common import first_of_each
from portal.paging import page_of
from projects.choices import PlanChange
from projects.models import Organisation
from projects.models import PlanVersion
from projects.models import Project
from projects.models import WorkPackage

PARTS = {
    "paketit": _("Work packages"),
    "tavoitteet": _("Process goals"),
    "toimenpiteet": _("Actions"),
    "mittarit": _("Indicators"),
    "poistetut": _("Retired"),
}
DEFAULT_PART = "tavoitteet"


def _packages(project: Project):
    live = Q(goals__retired_on__isnull=True)
    return (
        WorkPackage.objects.filter(project=project, retired_on__isnull=True)
        .select_related("parent", "plan_version")
        .annotate(
            goal_count=Count("goals", filter=live, distinct=True),
            action_count=Count(
                "actions", filter=Q(actions__retired_on__isnull=True), distinct=True
            ),
        )
        .order_by("order", "code", "id")
    )


def _goals(project: Project):
    return (
        ProcessGoal.objects.filter(project=project, retired_on__isnull=True)
        .select_related("work_package", "plan_version")
        .prefetch_related(Prefetch("benefit_targets", queryset=BenefitTarget.objects.all()))
        .order_by("work_package__order", "order", "id")
    )


def _actions(project: Project):
    return (
        Action.objects.filter(project=project, retired_on__isnull=True)
        .select_related("work_package", "owner", "responsible_organisation", "plan_version")
        .prefetch_related(
            Prefetch("goals", queryset=ProcessGoal.objects.only("id", "number")),
            Prefetch("benefit_targets", queryset=BenefitTarget.objects.all()),
        )
        .order_by("work_package__order", "order", "id")
    )


def _indicators(project: Project):
    return (
        Indicator.objects.filter(project=project, retired_on__isnull=True)
        .select_related("progress", "plan_version")
        .prefetch_related(Prefetch("targets", queryset=Target.objects.order_by("target_date")))
        .order_by("order", "code", "id")
    )


@dataclass(frozen=True)
class RetiredRow:
    kind: str  # the history page's key: "workpackage", "goal", "action", "indicator"
    pk: int
    label: str
    retired_on: date


def _retired(project: Project) -> list[RetiredRow]:
    """Every retired row of the hanke, newest retirement first (four queries)."""
    rows: list[RetiredRow] = []
    for kind, model, number in (
        ("workpackage", WorkPackage, "code"),
        ("goal", ProcessGoal, "number"),
        ("action", Action, "number"),
        ("indicator", Indicator, "code"),
    ):
        for row in model.objects.filter(project=project, retired_on__isnull=False).order_by(
            "-retired_on", "id"
        ):
            rows.append(
                RetiredRow(
                    kind, row.pk, f"{getattr(row, number)} {row.display_name}", row.retired_on
                )
            )
    return sorted(rows, key=lambda r: (r.retired_on, r.pk), reverse=True)


def plan_part(*, project: Project, part: str, page=1) -> Page | list[RetiredRow]:
    """One part of the hanke's live plan (`PARTS`), 50 rows a page; the retired rows all
    at once (few by nature). A fixed number of queries for any plan size."""
    if part == "poistetut":
        return _retired(project)
    source = {
        "paketit": _packages,
        "tavoitteet": _goals,
        "toimenpiteet": _actions,
        "mittarit": _indicators,
    }[part](project)
    shown = page_of(source, page)
    shown.object_list = list(shown.object_list)
    return shown


def plan_row_get(*, project: Project, model, pk: int):
    """One row of the hanke's plan (retired ones too), 404 when it is another hanke's."""
    row = model.objects.filter(project=project, pk=pk).first()
    if row is None:
        raise Http404
    return row


# --- A plan version against the one before it ------------------------------------------------

# What the diff compares of each kind (besides its number/code and name).
_DIFF_FIELDS = {
    "package": (WorkPackage, ("id", "code", "name_fi", "parent_id", "retired_on")),
    "goal": (
        ProcessGoal,
        ("id", "number", "title_fi", "work_package_id", "target_date", "retired_on"),
    ),
    "action": (
        Action,
        (
            "id",
            "number",
            "title_fi",
            "work_package_id",
            "responsible_text",
            "responsible_organisation_id",
            "schedule_text",
            "planned_start",
            "planned_end",
            "retired_on",
        ),
    ),
    "indicator": (
        Indicator,
        (
            "id",
            "code",
            "name_fi",
            "unit",
            "direction",
            "baseline_value",
            "baseline_date",
            "source_id",
            "retired_on",
        ),
    ),
}
KIND_LABELS = {
    "package": _("Work package"),
    "goal": _("Process goal"),
    "action": _("Action"),
    "indicator": _("Indicator"),
}


@dataclass
class DiffRow:
    kind: str
    pk: int
    label: str
    changes: list[tuple[str, object, object]] = field(default_factory=list)  # field, old, new
    retired_on: date | None = None


@dataclass
class VersionDiff:
    version: PlanVersion
    previous: PlanVersion | None
    new: list[DiffRow]
    changed: list[DiffRow]
    retired: list[DiffRow]

    @property
    def empty(self) -> bool:
        return not (self.new or self.changed or self.retired)


def _label(kind: str, row) -> str:
    number = row.code if kind in ("package", "indicator") else row.number
    return f"{number} {row.display_name}"[:160]


def _verbose(model, name: str) -> str:
    return str(model._meta.get_field(name.removesuffix("_id")).verbose_name)


def plan_version_diff(*, project: Project, version: PlanVersion) -> VersionDiff:
    """What `version` brought against the plan before it: rows marked new in it, rows
    marked changed in it (each with its fields as recorded before the version was
    started in the portal → now), and rows retired from its issue date until the next
    version's.
    Eight queries at most (the rows and their earlier state per kind)."""
    following = (
        PlanVersion.objects.filter(project=project, supersedes=version)
        .order_by("issued_on")
        .first()
    )
    start = version.issued_on or date.min
    end = following.issued_on if following and following.issued_on else None
    started = _started_at(version)
    new, changed, retired = [], [], []
    for kind, (model, fields) in _DIFF_FIELDS.items():
        marked = Q(plan_version=version, change__in=[PlanChange.NEW, PlanChange.CHANGED])
        gone = Q(retired_on__gte=start) & (Q(retired_on__lt=end) if end else Q())
        rows = list(model.objects.filter(Q(project=project) & (marked | gone)).order_by("id"))
        changed_ids = [
            r.pk for r in rows if r.change == PlanChange.CHANGED and r.plan_version_id == version.pk
        ]
        before = _state_before(model, changed_ids, fields, started) if changed_ids else {}
        for row in rows:
            item = DiffRow(kind, row.pk, _label(kind, row), retired_on=row.retired_on)
            if row.retired_on and row.retired_on >= start and (end is None or row.retired_on < end):
                retired.append(item)
            elif row.plan_version_id == version.pk and row.change == PlanChange.NEW:
                new.append(item)
            elif row.pk in changed_ids:
                old = before.get(row.pk, {})
                for name in fields[1:]:
                    if name == "retired_on":
                        continue
                    now = getattr(row, name)
                    if old and old.get(name) != now:
                        item.changes.append((_verbose(model, name), old.get(name), now))
                changed.append(item)
    _readable(project, changed)
    return VersionDiff(version, version.supersedes, new, changed, retired)


def _started_at(version: PlanVersion) -> datetime:
    """When the version was started in the portal (its first history row), else the start
    of its issue day: the "before" of its changed rows."""
    created = version.history.filter(history_type="+").order_by("history_date").first()
    if created is not None:
        return created.history_date
    return end_of_day((version.issued_on or date.min) - timedelta(days=1))


def _state_before(model, ids: list[int], fields: tuple[str, ...], moment: datetime) -> dict:
    """`fields` of these rows as their newest history row before `moment` had them (one
    query)."""
    newest = first_of_each(
        model.history.model.objects.filter(id__in=ids, history_date__lt=moment)
        .order_by("id", "-history_date", "-history_id")
        .values_list(*fields),
        ("id",),
        key=lambda row: row[0],
    )
    return {row[0]: dict(zip(fields, row, strict=True)) for row in newest}


def _readable(project: Project, rows: list[DiffRow]) -> None:
    """Ids of work packages and organisations in the changes as their codes and names (two
    queries)."""
    org_label = _verbose(Action, "responsible_organisation")
    package_labels = {_verbose(Action, "work_package"), _verbose(WorkPackage, "parent")}
    packages = dict(WorkPackage.objects.filter(project=project).values_list("id", "code"))
    org_ids = {
        v for row in rows for label, *values in row.changes if label == org_label for v in values
    }
    orgs = dict(Organisation.objects.filter(pk__in=org_ids - {None}).values_list("id", "name_fi"))
    for row in rows:
        readable = []
        for label, old, new in row.changes:
            names = packages if label in package_labels else orgs if label == org_label else {}
            readable.append(
                (capfirst(label), _value(names.get(old, old)), _value(names.get(new, new)))
            )
        row.changes = readable


def _value(value) -> str:
    """A value of the diff as people read it: "40", "31.12.2024", "–"."""
    if value is None or value == "":
        return "–"
    if isinstance(value, Decimal):
        return number_format(value.normalize())
    if isinstance(value, date):
        return date_format(value, "j.n.Y")
    return str(value)
