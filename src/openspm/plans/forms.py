from __future__ import annotations

from django import forms


class NewPlanForm(forms.Form):
    code = forms.SlugField(max_length=64, help_text="Lower case, e.g. ae_2026; the document's id")
    name = forms.CharField(max_length=200)
    effective_from = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))


class DraftForm(forms.Form):
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 30, "spellcheck": "false"}))
    effective_from = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    effective_to = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))


class DecisionForm(forms.Form):
    comment = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))


class AssignmentForm(forms.Form):
    person = forms.CharField(required=False, help_text="Employee id")
    team = forms.CharField(required=False, help_text="Team code")
    title = forms.CharField(required=False, help_text="Job title")
    effective_from = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    effective_to = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
