"""The product's roles. Each is a `Group`, created by a data migration."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """A role, from most to least privileged. A user's role is the first one they hold."""

    ADMINISTRATOR = "administrator"
    COMP_ADMIN = "comp_admin"
    FINANCE = "finance"
    MANAGER = "manager"
    REP = "rep"
    REFERRAL_PARTNER = "referral_partner"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


ALL_ROLES: tuple[Role, ...] = tuple(Role)
# Roles that see every payee's rows.
SEE_ALL_ROLES: frozenset[Role] = frozenset({Role.ADMINISTRATOR, Role.COMP_ADMIN, Role.FINANCE})
# Roles that may change reference data (people, sales data, quotas, territories) and import it.
EDIT_ROLES: frozenset[Role] = frozenset({Role.ADMINISTRATOR, Role.COMP_ADMIN})
# Roles that may approve what someone else prepared (plan versions, payouts).
APPROVE_ROLES: frozenset[Role] = frozenset({Role.ADMINISTRATOR, Role.COMP_ADMIN, Role.FINANCE})
