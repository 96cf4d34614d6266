"""Filter form of the quota page (query strings, never writes)."""

from __future__ import annotations

from django import forms


class QuotaFilterForm(forms.Form):
    period = forms.CharField(required=False, label="Period", max_length=16)
    measure = forms.CharField(required=False, label="Measure", max_length=64)
