"""Abstract building blocks shared by the domain models."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils import translation
from django.utils.translation import gettext_lazy as _


class SourceRef(models.Model):
    """Where an imported row came from: the plan document and its page or lines."""

    source_document = models.CharField(_("source document"), max_length=200, blank=True)
    source_ref = models.CharField(
        _("place in source"),
        max_length=100,
        blank=True,
        help_text=_("Page or lines, e.g. L290-295"),
    )

    class Meta:
        abstract = True

    @property
    def source_label(self) -> str:
        if not self.source_document:
            return ""
        return f"{self.source_document} {self.source_ref}".strip()


class Timestamped(models.Model):
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


def localized(obj: object, field: str) -> str:
    """The field in the active language (`name_sv`, …), falling back to Finnish."""
    lang = (translation.get_language() or "fi")[:2]
    return getattr(obj, f"{field}_{lang}", "") or getattr(obj, f"{field}_fi", "")


class Localized:
    """Mixin for models with name_fi/name_sv/name_en (or title_*) columns."""

    localized_field = "name"

    @property
    def display_name(self) -> str:
        return localized(self, self.localized_field)


def dates_in_order(start: str, end: str, name: str) -> models.CheckConstraint:
    """A period whose end, when both dates are known, is not before its start."""
    return models.CheckConstraint(
        condition=Q(**{f"{end}__isnull": True})
        | Q(**{f"{start}__isnull": True})
        | Q(**{f"{end}__gte": F(start)}),
        name=name,
    )


def first_of_each(queryset, fields: tuple[str, ...], key) -> list:
    """The first row of each group of `fields`, in the queryset's order (which must start
    with `fields`). `key(row)` gives a row's group.

    PostgreSQL (production, tests) answers with DISTINCT ON. Other databases – the SQLite of
    `make run` – have no DISTINCT ON: there every row is read and the first of each group
    kept, which is fine at demo size.
    """
    from django.db import connections

    if connections[queryset.db].features.can_distinct_on_fields:
        return list(queryset.distinct(*fields))
    seen: set = set()
    rows = []
    for row in queryset:
        group = key(row)
        if group not in seen:
            seen.add(group)
            rows.append(row)
    return rows
