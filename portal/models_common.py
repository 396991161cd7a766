"""Abstract building blocks shared by the domain models."""

from __future__ import annotations

import re

from django.db import models
from django.db.models import F
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext
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
        """The source in a reader's words: "Etelä-Pohjanmaa plan, Table 1, row 15",
        "Keski-Suomi plan, lines 1180–1182"; never a file name or a database id."""
        if not self.source_document:
            return ""
        place = readable_reference(self.source_ref)
        document = self.source_document_label()
        return f"{document}, {place}" if place else document

    def source_document_label(self) -> str:
        """The document in words: the plan of the row's hanke when it is the hanke's own
        plan document (a hanke's plan versions are issues of that document), else another
        document of its region (e.g. Keski-Suomi's 2015 proposal beside the 2020 plan)."""
        project = getattr(self, "project", None)
        if project is None:
            return gettext("Source document")
        region = project.region.display_name
        if self.source_document == project.source_document:
            return gettext("%(region)s plan") % {"region": region}
        return gettext("%(region)s, another document") % {"region": region}


# "L1180-1182", "L1389", "L964-979, L1133-1137", optionally with "(Taulukko 1, rivi 15)".
_LINES = re.compile(r"L(\d+)(?:\s*[-–]\s*(\d+))?")
_TABLE_ROW = re.compile(r"\((?:Taulukko|Table)\s+(\d+),\s*(?:rivi|row)\s+(\d+)\)")


def readable_reference(ref: str) -> str:
    """A place in a document in words: a table row when the reference names one
    ("Table 1, row 15"), else its lines ("lines 1180–1182", "line 1389"); the raw text when
    it is neither (a page number, say)."""
    ref = (ref or "").strip()
    table = _TABLE_ROW.search(ref)
    if table:
        return gettext("Table %(table)s, row %(row)s") % {
            "table": table.group(1),
            "row": table.group(2),
        }
    spans = _LINES.findall(ref)
    if not spans:
        return ref
    if len(spans) == 1 and not spans[0][1]:
        return gettext("line %(line)s") % {"line": spans[0][0]}
    ranges = ", ".join(f"{a}–{b}" if b else a for a, b in spans)
    return gettext("lines %(lines)s") % {"lines": ranges}


class Retirable(models.Model):
    """A plan row that can be retired: it leaves the live plan on `retired_on` and stays in
    the history, in past rounds and in extracts of dates before it (never hard-deleted
    once it has a status or a value)."""

    retired_on = models.DateField(_("retired on"), null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def is_retired(self) -> bool:
        return self.retired_on is not None


class Timestamped(models.Model):
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


def localized(obj: object, field: str) -> str:
    """The field in the active language (`name_sv`, …), falling back to Finnish."""
    lang = (translation.get_language() or "fi")[:2]
    return getattr(obj, f"{field}_{lang}", "") or getattr(obj, f"{field}_fi", "")


def in_all_languages(field: str) -> tuple[str, str, str]:
    """A translated field's column names, Finnish first: `title_fi`, `title_sv`, `title_en`."""
    return (f"{field}_fi", f"{field}_sv", f"{field}_en")


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
