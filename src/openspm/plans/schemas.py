from __future__ import annotations

from datetime import date, datetime

from ninja import Schema


class PlanOut(Schema):
    id: int
    code: str
    name: str
    description: str


class PlanIn(Schema):
    code: str
    name: str
    description: str = ""
    text: str
    effective_from: date


class VersionOut(Schema):
    id: int
    plan_id: int
    number: int
    status: str
    text: str
    fingerprint: str
    effective_from: date
    effective_to: date | None
    submitted_at: datetime | None
    decided_at: datetime | None
    decision_comment: str


class DraftIn(Schema):
    text: str
    effective_from: date | None = None
    effective_to: date | None = None


class DecisionIn(Schema):
    approve: bool
    comment: str = ""


class IssueOut(Schema):
    line: int
    path: str
    message: str


class ValidateIn(Schema):
    text: str


class AssignmentIn(Schema):
    person_id: int | None = None
    team_id: int | None = None
    title: str = ""
    effective_from: date
    effective_to: date | None = None


class AssignmentOut(Schema):
    id: int
    plan_id: int
    person_id: int | None
    team_id: int | None
    title: str
    effective_from: date
    effective_to: date | None


class DiffLineOut(Schema):
    kind: str
    text: str
