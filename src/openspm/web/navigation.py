"""The navigation each role sees. Pages still check access themselves; this is only the menu."""

from __future__ import annotations

from dataclasses import dataclass

from openspm.core.roles import EDIT_ROLES, SEE_ALL_ROLES, Role


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    roles: frozenset[Role]
    section: str = ""


_INTERNAL = frozenset(Role) - {Role.REFERRAL_PARTNER}
_PEOPLE_VIEWERS = SEE_ALL_ROLES | {Role.MANAGER}

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
    NavItem("Quotas", "quotas:quotas", _INTERNAL, "Planning"),
    NavItem("Territories", "territories:territories", _INTERNAL, "Planning"),
    NavItem("Import", "imports:start", EDIT_ROLES, "Administration"),
    NavItem("Audit", "web:audit", frozenset({Role.ADMINISTRATOR}), "Administration"),
)


def items_for(role: Role | None) -> list[NavItem]:
    if role is None:
        return []
    return [item for item in NAV_ITEMS if role in item.roles]
