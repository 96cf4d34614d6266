"""API input and output shapes for the organisation."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from ninja import FilterLookup, FilterSchema, Schema


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


class PersonPatch(Schema):
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


class ReportingLineOut(Schema):
    id: int
    person_id: int
    manager_id: int
    effective_from: date
    effective_to: date | None


class ManagerChangeIn(Schema):
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
