"""The navigation each role sees. Pages still check access themselves; this is only the menu."""

from __future__ import annotations

from dataclasses import dataclass

from openspm.core.roles import EDIT_ROLES, SEE_ALL_ROLES, Role


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    roles: frozenset[Role]


_INTERNAL = frozenset(Role) - {Role.REFERRAL_PARTNER}
_PEOPLE_VIEWERS = SEE_ALL_ROLES | {Role.MANAGER}

NAV_ITEMS: tuple[NavItem, ...] = (
    NavItem("Home", "home", frozenset(Role)),
    NavItem("People", "org:people", _PEOPLE_VIEWERS),
    NavItem("Hierarchy", "org:hierarchy", _PEOPLE_VIEWERS),
    NavItem("Transactions", "sales:transactions", _INTERNAL),
    NavItem("Accounts", "sales:accounts", _INTERNAL),
    NavItem("Products", "sales:products", _INTERNAL),
    NavItem("Quotas", "quotas:quotas", _INTERNAL),
    NavItem("Territories", "territories:territories", _INTERNAL),
    NavItem("FX rates", "sales:fx_rates", _INTERNAL),
    NavItem("Import", "imports:start", EDIT_ROLES),
    NavItem("Audit", "web:audit", frozenset({Role.ADMINISTRATOR})),
)


def items_for(role: Role | None) -> list[NavItem]:
    if role is None:
        return []
    return [item for item in NAV_ITEMS if role in item.roles]
