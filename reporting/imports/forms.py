"""Forms of the bulk import: the upload and the column mapping (input only; the services
re-check everything)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .reader import ImportKind
from .reader import spec


class ImportUploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("The file contains"))
    file = forms.FileField(
        label=_("File"),
        help_text=_(
            "CSV (UTF-8 or Windows-1252, separated by commas or semicolons) or Excel XLSX; "
            "the first row holds the column headers."
        ),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".csv,.xlsx,text/csv,"
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )

    def __init__(self, *args, kinds: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(ImportKind.choices)
        self.fields["kind"].choices = [(kind, labels[kind]) for kind in kinds]


class ImportMappingForm(forms.Form):
    """One select per field of ours: which of the file's columns holds it."""

    def __init__(self, *args, kind: str, headers: list[str], mapping: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        choices = [("", _("— not in the file —"))] + [(h, h) for h in headers]
        chosen = {key: header for header, key in mapping.items() if key}
        for f in spec(kind):
            label = f.shown()
            self.fields[f"col_{f.key}"] = forms.ChoiceField(
                label=label,
                choices=choices,
                required=False,
                initial=chosen.get(f.key, ""),
                help_text=_("Required") if f.required else "",
            )

    def mapping(self) -> dict[str, str]:
        """File header → our field, as the services store it."""
        mapping: dict[str, str] = {}
        for f in spec(self.kind):
            header = self.cleaned_data.get(f"col_{f.key}")
            if header:
                if header in mapping:
                    self.add_error(
                        f"col_{f.key}",
                        _("The column “%(header)s” is already chosen for another field.")
                        % {"header": header},
                    )
                mapping[header] = f.key
        return mapping
