"""Forms of the referral pages."""

from __future__ import annotations

from django import forms

from openspm.referrals.models import Referral


class SubmissionForm(forms.Form):
    """A referee's details. `website` is a honeypot (hidden; people leave it empty) and
    `started` the signed time the form was rendered (too-fast submissions are bots)."""

    referee_name = forms.CharField(max_length=200, label="Their name")
    referee_email = forms.EmailField(label="Their email")
    referee_company = forms.CharField(max_length=200, required=False, label="Their company")
    referee_country = forms.CharField(max_length=2, required=False, label="Country (ISO code)")
    referee_postal_code = forms.CharField(max_length=20, required=False, label="Postal code")
    referee_address = forms.CharField(max_length=300, required=False, label="Address")
    code = forms.CharField(max_length=32, required=False, label="Referral code")
    website = forms.CharField(required=False, label="Leave this empty")
    started = forms.CharField(required=False, widget=forms.HiddenInput)


class PortalSubmissionForm(forms.Form):
    """A signed-in referrer (partner or employee) refers someone to a program."""

    program = forms.IntegerField(widget=forms.HiddenInput)
    referee_name = forms.CharField(max_length=200)
    referee_email = forms.EmailField()
    referee_company = forms.CharField(max_length=200, required=False)
    referee_country = forms.CharField(max_length=2, required=False)
    referee_postal_code = forms.CharField(max_length=20, required=False)


class ReferralFilterForm(forms.Form):
    status = forms.ChoiceField(
        choices=[("", "Any status"), *Referral.Status.choices], required=False
    )
    stage = forms.ChoiceField(choices=[("", "Any stage"), *Referral.Stage.choices], required=False)


class StageForm(forms.Form):
    stage = forms.ChoiceField(
        choices=[*Referral.Stage.choices[1:], ("paid", "Invoice paid")],
    )
    deal_amount = forms.DecimalField(max_digits=15, decimal_places=4, required=False)
