"""Reads of the audit trail: one object's history and the programme-wide change log.

Contract:
- The trail itself is django-simple-history's historical rows, written by the services in the
  same transaction as the change (history_user, history_date, history_type, and
  history_change_reason when the service gave one). Nothing here writes; the UI has no way to
  edit or delete history.
- `AUDITED` maps a URL-safe key ("action", "measurement", …) to a model with history that
  belongs to a hanke, and says how a row leads to its hanke.
- `object_history(user=, model_key=, pk=)` answers 404 unless `can(user, Perm.VIEW, obj)`
  (the same rule as the object's own page), so its existence is not leaked. Deleted objects
  are judged by their last historical state. A fixed number of queries: the object, the
  user's roles, all its history rows at once (with history_user), one query per kind of
  related object named in the changes.
- `change_log(user=, …)` needs `Perm.VIEW_CHANGE_LOG` (PermissionDenied otherwise). It merges
  the history of the main models newest first with one UNION query for the page (not
  counted: a count of all history would grow with every day in service), then loads the
  rows of that page with one query per model: a fixed number of queries for any amount of
  history.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from datetime import datetime
from decimal import Decimal
from functools import cached_property
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.exceptions import ObjectDoesNotExist
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import CharField
from django.db.models import Q
from django.db.models import Value
from django.db.models.functions import Concat
from django.http import Http404
from django.utils import formats
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from measures.models import Indicator
from measures.models import Measurement
from measures.models import Target
from objectives.models import Action
from objectives.models import ProcessGoal
from objectives.models import StatusUpdate
from portal.paging import PAGE_SIZE
from portal.paging import OpenPage
from portal.paging import open_page
from projects.access import Perm
from projects.access import can
from projects.models import BudgetLine
from projects.models import Membership
from projects.models import Project
from projects.models import Risk
from projects.models import WorkPackage

CHANGE_LOG_PAGE_SIZE = PAGE_SIZE

# Internal bookkeeping that means nothing to a reader of the history: the optimistic
# concurrency counter changes on every edit (STYLE R4).
_HIDDEN_FIELDS = frozenset({"version"})

KIND_LABELS = {
    "created": gettext_lazy("Created"),
    "changed": gettext_lazy("Changed"),
    "deleted": gettext_lazy("Deleted"),
}
_KINDS = {"+": "created", "~": "changed", "-": "deleted"}


def _d(value: date | None) -> str:
    return formats.date_format(value, "j.n.Y") if value else "–"


def _code(obj: Any) -> str:
    return obj.code if obj is not None else "?"


@dataclass(frozen=True)
class Audited:
    """A model whose history can be shown, and how its rows lead to their hanke.

    `hanke` is the relation path from the model (and from its historical rows, whose foreign
    keys point at the live models) to Project; "" for Project itself. `label` names a
    historical row using only the row and the relations `related` selects.
    """

    key: str
    model: type[models.Model]
    hanke: str | None  # None: programme-wide (user accounts), never in a hanke's log
    label: Callable[[Any], str]
    related: tuple[str, ...] = ()

    @cached_property
    def history_model(self) -> type[models.Model]:
        # Read once: simple-history's `history` descriptor builds a manager class each time.
        return self.model.history.model

    @property
    def project_lookup(self) -> str | None:
        if self.hanke is None:
            return None
        return f"{self.hanke}_id" if self.hanke else "id"

    @property
    def select(self) -> tuple[str, ...]:
        return ((self.hanke,) if self.hanke else ()) + self.related


_REGISTRY: tuple[Audited, ...] = (
    Audited("project", Project, "", lambda r: r.short_name or r.name_fi),
    Audited("workpackage", WorkPackage, "project", lambda r: f"{r.code} {r.name_fi}"),
    Audited("goal", ProcessGoal, "project", lambda r: f"{r.number} {r.title_fi[:80]}"),
    Audited("action", Action, "project", lambda r: f"{r.number} {r.title_fi[:80]}"),
    Audited(
        "statusupdate",
        StatusUpdate,
        "action__project",
        lambda r: f"{r.action.number if r.action else '?'}: {r.get_status_display()}",
    ),
    Audited("indicator", Indicator, "project", lambda r: f"{r.code} {r.name_fi[:80]}"),
    Audited(
        "target",
        Target,
        "indicator__project",
        lambda r: f"{_code(r.indicator)} {_d(r.target_date)}",
    ),
    Audited(
        "measurement",
        Measurement,
        "indicator__project",
        lambda r: f"{_code(r.indicator)} {_d(r.period)}",
    ),
    Audited("risk", Risk, "project", lambda r: r.title[:120]),
    Audited("budgetline", BudgetLine, "project", lambda r: f"{r.year or '–'} {r.line}"),
    Audited(
        "membership",
        Membership,
        "project",
        lambda r: f"{r.user.username if r.user else '?'} ({r.get_role_display()})",
        related=("user",),
    ),
    Audited("user", User, None, lambda r: f"{r.username} ({r.first_name} {r.last_name})".strip()),
)
AUDITED: dict[str, Audited] = {entry.key: entry for entry in _REGISTRY}


@dataclass(frozen=True)
class Change:
    """One historical row of an object, compared with the row before it."""

    when: datetime
    who: str  # the actor's name; "" for the system (imports, tasks, data migrations)
    kind: str  # "created" / "changed" / "deleted"
    reason: str
    fields: list[tuple[str, str | None, str | None]]  # (verbose field name, old, new)

    @property
    def kind_label(self) -> str:
        return str(KIND_LABELS[self.kind])


@dataclass(frozen=True)
class ObjectHistory:
    model_key: str
    model_name: str
    label: str
    obj: models.Model  # the live object, or its last state when deleted
    deleted: bool
    changes: list[Change]


@dataclass(frozen=True)
class LogEntry:
    """One row of the change log; the details are on the object's history page."""

    when: datetime
    who: str
    kind: str
    reason: str
    model_key: str
    model_name: str
    object_id: int
    object_label: str
    hanke: str

    @property
    def kind_label(self) -> str:
        return str(KIND_LABELS[self.kind])


def _user_label(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def _may_view(user, obj: models.Model) -> bool:
    try:
        return can(user, Perm.VIEW, obj)
    except TypeError:
        # Outside any hanke (a region's risk or membership): programme-wide roles only.
        return can(user, Perm.VIEW)
    except ObjectDoesNotExist:
        # A deleted object whose hanke is gone as well: only the change log's readers.
        return can(user, Perm.VIEW_CHANGE_LOG)


def _label(entry: Audited, obj: models.Model) -> str:
    try:
        return entry.label(obj)
    except ObjectDoesNotExist:  # a deleted object whose parent is gone too
        return f"#{obj.pk}"


def _audited(model_key: str) -> Audited:
    entry = AUDITED.get(model_key)
    if entry is None:
        raise Http404
    return entry


def _shown_fields(row) -> list[models.Field]:
    pk_name = row.instance_type._meta.pk.name
    return [
        f
        for f in row.tracked_fields
        if f.editable and f.name != pk_name and f.name not in _HIDDEN_FIELDS
    ]


def _raw_fields(rows: list) -> list[list[tuple[models.Field, Any, Any]]]:
    """Per row (newest first): the changed fields with raw values, in the model's order."""
    if not rows:
        return []
    fields = _shown_fields(rows[0])
    by_name = {f.name: f for f in fields}
    order = {f.name: i for i, f in enumerate(fields)}
    result = []
    for index, row in enumerate(rows):
        previous = rows[index + 1] if index + 1 < len(rows) else None
        if row.history_type == "-":
            result.append([])
        elif previous is None:
            # The first row (usually "created"): what the object started with.
            values = [(f, None, f.value_from_object(row)) for f in fields]
            result.append([v for v in values if v[2] not in (None, "")])
        else:
            delta = row.diff_against(previous, included_fields=list(by_name))
            changes = sorted(delta.changes, key=lambda c: order[c.field])
            result.append([(by_name[c.field], c.old, c.new) for c in changes])
    return result


def _related_labels(raw: Iterable[list[tuple[models.Field, Any, Any]]]) -> dict:
    """Names of the objects foreign keys point to: one query per related model."""
    wanted: dict[type[models.Model], set] = defaultdict(set)
    for fields in raw:
        for field, old, new in fields:
            if field.is_relation and field.many_to_one:
                wanted[field.related_model].update(v for v in (old, new) if v is not None)
    labels = {}
    for model, ids in wanted.items():
        for pk, obj in model._default_manager.in_bulk(ids).items():
            is_user = hasattr(obj, "get_username")
            labels[(model, pk)] = _user_label(obj) if is_user else str(obj)
    return labels


def _display(field: models.Field, value: Any, labels: dict) -> str | None:
    """A value as a person reads it; the template escapes it."""
    if value is None or value == "":
        return None
    if field.is_relation:
        return labels.get((field.related_model, value)) or _("%(id)s (removed)") % {"id": value}
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, datetime):
        return formats.date_format(value, "j.n.Y H:i")
    if isinstance(value, date):
        return formats.date_format(value, "j.n.Y")
    if isinstance(value, Decimal):
        return formats.number_format(Decimal(format(value.normalize(), "f")))
    return str(value)


def object_history(*, user, model_key: str, pk: int) -> ObjectHistory:
    """The history of one object, newest first, with old and new value of each field changed.

    Permission: 404 unless `user` may view the object (or, when deleted, its last state).
    Side effects: none. Queries: fixed (see the module docstring).
    """
    entry = _audited(model_key)
    live = entry.model._default_manager.select_related(*entry.select).filter(pk=pk).first()
    if live is not None and not _may_view(user, live):
        raise Http404
    rows = list(
        entry.history_model.objects.filter(id=pk)
        .select_related("history_user")
        .order_by("-history_date", "-history_id")
    )
    if live is None:
        # Deleted: judged by its last recorded state (whose hanke may still exist).
        if not rows or not _may_view(user, rows[0].instance):
            raise Http404
    obj = live if live is not None else rows[0].instance
    raw = _raw_fields(rows)
    labels = _related_labels(raw)
    changes = [
        Change(
            when=row.history_date,
            who=_user_label(row.history_user),
            kind=_KINDS.get(row.history_type, "changed"),
            reason=row.history_change_reason or "",
            fields=[
                (capfirst(str(f.verbose_name)), _display(f, old, labels), _display(f, new, labels))
                for f, old, new in fields
            ],
        )
        for row, fields in zip(rows, raw, strict=True)
    ]
    return ObjectHistory(
        model_key=model_key,
        model_name=capfirst(str(entry.model._meta.verbose_name)),
        label=_label(entry, obj),
        obj=obj,
        deleted=live is None,
        changes=changes,
    )


def _users_named(text: str) -> models.QuerySet:
    """Ids of the people whose username, first or last name or "first last" contains `text`
    (case-insensitive): the change log's "changed by" search."""
    users = get_user_model().objects.annotate(
        full_name=Concat("first_name", Value(" "), "last_name")
    )
    match = Q(username__icontains=text) | Q(full_name__icontains=text)
    return users.filter(match).values("pk")


def _filtered(
    entry: Audited,
    *,
    user_id: int | None,
    who: str,
    project_id: int | None,
    date_from: date | None,
    date_to: date | None,
) -> models.QuerySet:
    qs = entry.history_model.objects.all()
    if user_id is not None:
        qs = qs.filter(history_user_id=user_id)
    if who:
        qs = qs.filter(history_user_id__in=_users_named(who))
    if project_id is not None:
        if entry.project_lookup is None:  # account changes belong to no hanke
            return qs.none()
        # Historical foreign keys point at live rows: a measurement's hanke is its live
        # indicator's hanke (indicators do not move between hankkeet).
        qs = qs.filter(**{entry.project_lookup: project_id})
    if date_from is not None:
        qs = qs.filter(history_date__date__gte=date_from)
    if date_to is not None:
        qs = qs.filter(history_date__date__lte=date_to)
    return qs


def change_log(
    *,
    user,
    user_id: int | None = None,
    who: str = "",
    project_id: int | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    page: int | str = 1,
) -> OpenPage:
    """Changes to the main models across the programme, newest first, a page at a time.

    Permission: `Perm.VIEW_CHANGE_LOG` (the programme admin), else PermissionDenied.
    Filters: the acting user (by id, or `who`: a part of their name or username), the
    hanke, a date range (inclusive, local dates).
    Returns an OpenPage (portal/paging.py: no count of all history, which grows every day)
    whose object_list holds LogEntry rows. Side effects: none.
    Queries: a page query over a UNION of all models, then one per model on the page,
    whatever the amount of history.
    """
    if not can(user, Perm.VIEW_CHANGE_LOG):
        raise PermissionDenied
    filters = {
        "user_id": user_id,
        "who": who,
        "project_id": project_id,
        "date_from": date_from,
        "date_to": date_to,
    }
    parts = [
        _filtered(entry, **filters)
        .order_by()
        .annotate(model_key=Value(entry.key, output_field=CharField()))
        .values("model_key", "history_id", "history_date")
        for entry in _REGISTRY
    ]
    merged = parts[0].union(*parts[1:], all=True).order_by("-history_date", "-history_id")
    result = open_page(merged, page, per_page=CHANGE_LOG_PAGE_SIZE)

    ids: dict[str, list[int]] = defaultdict(list)
    for item in result.object_list:
        ids[item["model_key"]].append(item["history_id"])
    rows = {}
    for key, history_ids in ids.items():
        entry = AUDITED[key]
        for row in entry.history_model.objects.filter(history_id__in=history_ids).select_related(
            "history_user", *entry.select
        ):
            rows[(key, row.history_id)] = row
    entries = []
    for item in result.object_list:
        entry = AUDITED[item["model_key"]]
        row = rows[(entry.key, item["history_id"])]
        if entry.hanke is None:
            hanke = "–"
        else:
            hanke = entry.label(row) if not entry.hanke else _project_name(row, entry.hanke)
        entries.append(
            LogEntry(
                when=row.history_date,
                who=_user_label(row.history_user),
                kind=_KINDS.get(row.history_type, "changed"),
                reason=row.history_change_reason or "",
                model_key=entry.key,
                model_name=capfirst(str(entry.model._meta.verbose_name)),
                object_id=row.id,
                object_label=entry.label(row),
                hanke=hanke,
            )
        )
    return OpenPage(entries, result.number, result.has_next)


def _project_name(row, path: str) -> str:
    obj = row
    for part in path.split("__"):
        obj = getattr(obj, part, None)
        if obj is None:
            return ""
    return str(obj)
