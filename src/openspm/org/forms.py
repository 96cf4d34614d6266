"""Filter forms of the organisation pages (query strings, never writes)."""

from __future__ import annotations

from django import forms


class PeopleFilterForm(forms.Form):
    q = forms.CharField(required=False, label="Search")
    active = forms.BooleanField(required=False, label="Active only")


class HierarchyFilterForm(forms.Form):
    on = forms.DateField(
        required=False, label="As of", widget=forms.DateInput(attrs={"type": "date"})
    )


class PeriodFilterForm(forms.Form):
    fiscal_year = forms.IntegerField(required=False, label="Fiscal year", min_value=1900)
    kind = forms.ChoiceField(
        required=False,
        label="Kind",
        choices=[("", "All"), ("year", "Year"), ("quarter", "Quarter"), ("month", "Month")],
    )
