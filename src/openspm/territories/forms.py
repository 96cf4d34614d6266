"""Filter form of the territory page (query strings, never writes)."""

from __future__ import annotations

from django import forms


class TerritoryFilterForm(forms.Form):
    region = forms.CharField(required=False, label="Region", max_length=100)
