"""API shapes of the referral app. Money is a decimal string."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from ninja import Schema
from pydantic import Field, field_validator


class SubmissionIn(Schema):
    program: str = Field(description="The program's slug")
    code: str = Field(description="The referrer's code")
    referee_name: str = Field(min_length=1, max_length=200)
    referee_email: str = Field(max_length=254)
    referee_company: str = Field(default="", max_length=200)
    referee_address: str = Field(default="", max_length=300)
    referee_country: str = Field(default="", max_length=2)
    referee_postal_code: str = Field(default="", max_length=20)

    @field_validator("referee_email")
    @classmethod
    def _email(cls, value: str) -> str:
        try:
            validate_email(value)
        except ValidationError:
            raise ValueError("Enter a valid email address.") from None
        return value


class SubmissionOut(Schema):
    id: int
    status: str
    stage: str


class ReferralOut(Schema):
    id: int
    program: str = Field(alias="program.slug")
    referrer: str = Field(alias="referrer.name")
    referee_name: str
    referee_company: str
    status: str
    stage: str
    owner_id: int | None
    account_id: int | None
    deal_amount: Decimal | None
    submitted_at: datetime
    won_at: datetime | None


class RewardOut(Schema):
    id: int
    referral_id: int
    program: str = Field(alias="program.slug")
    side: str
    amount: Decimal
    currency: str
    status: str
    release_on: date


class WebhookOut(Schema):
    event_id: str
    event_type: str
    referral_id: int | None
    status: str
