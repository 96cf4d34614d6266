"""The navigation each role sees. Pages still check access themselves; this is only the menu."""

from __future__ import annotations

from dataclasses import dataclass

from openspm.core.roles import APPROVE_ROLES, EDIT_ROLES, SEE_ALL_ROLES, Role


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    roles: frozenset[Role]
    section: str = ""


_INTERNAL = frozenset(Role) - {Role.REFERRAL_PARTNER}
_PEOPLE_VIEWERS = SEE_ALL_ROLES | {Role.MANAGER}
_PAYEES = frozenset({Role.MANAGER, Role.REP})

NAV_ITEMS: tuple[NavItem, ...] = (
    NavItem("Home", "home", frozenset(Role)),
    NavItem("People", "org:people", _PEOPLE_VIEWERS, "Organisation"),
    NavItem("Hierarchy", "org:hierarchy", _PEOPLE_VIEWERS, "Organisation"),
    NavItem("Teams", "org:teams", _INTERNAL, "Organisation"),
    NavItem("Periods", "org:periods", _INTERNAL, "Organisation"),
    NavItem("Transactions", "sales:transactions", _INTERNAL, "Sales"),
    NavItem("Accounts", "sales:accounts", _INTERNAL, "Sales"),
    NavItem("Products", "sales:products", _INTERNAL, "Sales"),
    NavItem("FX rates", "sales:fx_rates", _INTERNAL, "Sales"),
    NavItem("My pay", "comp:my_pay", _PAYEES, "Pay"),
    NavItem("Statements", "comp:statements", _INTERNAL, "Pay"),
    NavItem("Disputes", "comp:disputes", _INTERNAL, "Pay"),
    NavItem("Plans", "plans:plans", _INTERNAL, "Compensation"),
    NavItem("Calc runs", "comp:runs", APPROVE_ROLES, "Compensation"),
    NavItem("Approvals", "comp:approvals", APPROVE_ROLES, "Compensation"),
    NavItem("Adjustments", "comp:adjustments", _INTERNAL, "Compensation"),
    NavItem("Period close", "comp:close", APPROVE_ROLES, "Compensation"),
    NavItem("Exports", "comp:exports", APPROVE_ROLES, "Compensation"),
    NavItem("Referrals", "referrals:referrals", frozenset(Role), "Referrals"),
    NavItem("Review queue", "referrals:review", APPROVE_ROLES, "Referrals"),
    NavItem("Rewards", "referrals:rewards", APPROVE_ROLES, "Referrals"),
    NavItem("Outbox", "referrals:outbox", APPROVE_ROLES, "Referrals"),
    NavItem("Referral analytics", "referrals:analytics", APPROVE_ROLES, "Referrals"),
    NavItem("Quotas", "quotas:quotas", _INTERNAL, "Planning"),
    NavItem("Territories", "territories:territories", _INTERNAL, "Planning"),
    NavItem("Import", "imports:start", EDIT_ROLES, "Administration"),
    NavItem("Audit", "web:audit", frozenset({Role.ADMINISTRATOR}), "Administration"),
)


def items_for(role: Role | None) -> list[NavItem]:
    if role is None:
        return []
    return [item for item in NAV_ITEMS if role in item.roles]
