"""API input and output shapes for territories with their rules, named accounts and members."""

from __future__ import annotations

from datetime import date

from ninja import Schema
from pydantic import Field

from openspm.territories.models import TerritoryMember, TerritoryRule


class RuleOut(Schema):
    field: str
    value: str


class RuleIn(Schema):
    field: TerritoryRule.Field
    value: str = Field(min_length=1, max_length=100)


class MemberOut(Schema):
    id: int
    person_id: int
    role: str
    effective_from: date
    effective_to: date | None


class MemberIn(Schema):
    person_id: int
    role: TerritoryMember.Role = TerritoryMember.Role.OWNER
    effective_from: date
    effective_to: date | None = None


class TerritoryOut(Schema):
    id: int
    code: str
    name: str
    region: str
    parent_id: int | None
    priority: int
    rules: list[RuleOut]
    named_account_ids: list[int] = Field(
        description="Named accounts the viewer may see (a rep: only accounts they own)"
    )
    members: list[MemberOut]

    @staticmethod
    def resolve_rules(obj: object) -> list[object]:
        return list(obj.rules.all())  # type: ignore[attr-defined]

    @staticmethod
    def resolve_named_account_ids(obj: object) -> list[int]:
        return sorted(n.account_id for n in obj.named_accounts.all())  # type: ignore[attr-defined]

    @staticmethod
    def resolve_members(obj: object) -> list[object]:
        return list(obj.members.all())  # type: ignore[attr-defined]


class TerritoryIn(Schema):
    code: str
    name: str
    region: str = ""
    parent_id: int | None = None
    priority: int = 0
    rules: list[RuleIn] = Field(default_factory=list)
    named_account_ids: list[int] = Field(default_factory=list)
    members: list[MemberIn] = Field(default_factory=list)


class TerritoryPatch(Schema):
    code: str | None = None
    name: str | None = None
    region: str | None = None
    parent_id: int | None = None
    priority: int | None = None
    rules: list[RuleIn] | None = Field(default=None, description="When given, replaces all rules.")
    named_account_ids: list[int] | None = Field(
        default=None, description="When given, replaces all named accounts."
    )
    members: list[MemberIn] | None = Field(
        default=None, description="When given, replaces all members."
    )
