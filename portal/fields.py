"""Form fields shared by the apps."""

from __future__ import annotations

from django import forms
from django.forms.models import ModelChoiceIterator


class PlainQueryChoiceIterator(ModelChoiceIterator):
    """A select's choices read with one plain query.

    Django's iterator reads them with `QuerySet.iterator()`, which on PostgreSQL opens a
    server-side cursor (DECLARE, FETCH, CLOSE: three round trips) to spare memory on huge
    result sets. A select lists a hanke's people, packages or rounds: a few dozen rows.
    """

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset.all():
            yield self.choice(obj)


class ModelChoiceField(forms.ModelChoiceField):
    """`forms.ModelChoiceField` whose options are read with one query (see above)."""

    iterator = PlainQueryChoiceIterator
