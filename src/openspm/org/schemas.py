"""API input and output shapes for the organisation."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from ninja import FilterLookup, FilterSchema, Schema
from pydantic import Field


class PersonOut(Schema):
    id: int
    external_id: str
    first_name: str
    last_name: str
    email: str
    title: str
    currency: str
    hired_on: date
    terminated_on: date | None
    user_id: int | None


class PersonIn(Schema):
    external_id: str
    first_name: str
    last_name: str
    email: str = ""
    title: str = ""
    currency: str = "USD"
    hired_on: date
    terminated_on: date | None = None
    user_id: int | None = Field(default=None, description="The login that sees this payee's rows")


class PersonPatch(Schema):
    external_id: str | None = None
    user_id: int | None = None
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    title: str | None = None
    currency: str | None = None
    hired_on: date | None = None
    terminated_on: date | None = None


class PersonFilter(FilterSchema):
    search: Annotated[
        str | None,
        FilterLookup(
            [
                "first_name__icontains",
                "last_name__icontains",
                "external_id__icontains",
                "email__icontains",
            ]
        ),
    ] = None
    title: Annotated[str | None, FilterLookup("title__iexact")] = None
    currency: str | None = None


class TeamOut(Schema):
    id: int
    code: str
    name: str
    leader_id: int | None


class TeamIn(Schema):
    code: str
    name: str
    leader_id: int | None = None


class TeamPatch(Schema):
    code: str | None = None
    name: str | None = None
    leader_id: int | None = None


class TeamMembershipOut(Schema):
    id: int
    team_id: int
    person_id: int
    effective_from: date
    effective_to: date | None


class TeamMembershipIn(Schema):
    team_id: int
    person_id: int
    effective_from: date
    effective_to: date | None = None


class TeamMembershipPatch(Schema):
    effective_from: date | None = None
    effective_to: date | None = None


class ReportingLineOut(Schema):
    id: int
    person_id: int
    manager_id: int
    effective_from: date
    effective_to: date | None


class ManagerChangeIn(Schema):
    """From `effective_from`, `person_id` reports to `manager_id` (null: to nobody)."""

    person_id: int
    manager_id: int | None
    effective_from: date


class PeriodOut(Schema):
    id: int
    key: str
    kind: str
    fiscal_year: int
    number: int
    start_on: date
    end_on: date
    status: str


class FiscalYearIn(Schema):
    fiscal_year: int = Field(ge=1900, le=9999)
