"""Filter forms of the sales pages (query strings, never writes)."""

from __future__ import annotations

from django import forms

from openspm.sales.models import Transaction

_DATE = forms.DateInput(attrs={"type": "date"})


class TransactionFilterForm(forms.Form):
    q = forms.CharField(required=False, label="Search")
    booked_from = forms.DateField(required=False, label="Booked from", widget=_DATE)
    booked_to = forms.DateField(required=False, label="Booked to", widget=_DATE)
    status = forms.ChoiceField(
        required=False, label="Status", choices=[("", "Any"), *Transaction.Status.choices]
    )


class AccountFilterForm(forms.Form):
    q = forms.CharField(required=False, label="Search")
    country = forms.CharField(required=False, label="Country", max_length=2)


class ProductFilterForm(forms.Form):
    family = forms.CharField(required=False, label="Family")


class FxRateFilterForm(forms.Form):
    currency = forms.CharField(required=False, label="Currency", max_length=3)
    quote_currency = forms.CharField(required=False, label="Quote currency", max_length=3)
