"""The import page's form."""

from __future__ import annotations

from django import forms

from openspm.imports.entities import ENTITIES


class ImportForm(forms.Form):
    entity = forms.ChoiceField(
        choices=[(e.name, e.label) for e in ENTITIES.values() if e.importable]
    )
    file = forms.FileField(
        help_text="CSV (UTF-8) or XLSX, with a header row",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )
