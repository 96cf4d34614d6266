"""Who sees which rows: a viewer's role and scope, decided once and applied in selectors."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.contrib.auth.models import AnonymousUser

from openspm.core.errors import PermissionDenied
from openspm.core.models import User
from openspm.core.roles import ALL_ROLES, APPROVE_ROLES, EDIT_ROLES, SEE_ALL_ROLES, Role

Viewer = User | AnonymousUser


class ScopeKind(StrEnum):
    ALL = "all"
    TEAM = "team"
    SELF = "self"
    PARTNER = "partner"
    NONE = "none"


def role_of(viewer: Viewer) -> Role | None:
    """The viewer's most privileged role; superusers are administrators."""
    if not viewer.is_authenticated:
        return None
    if viewer.is_superuser:
        return Role.ADMINISTRATOR
    cached: Role | None | str = getattr(viewer, "_openspm_role", "unset")
    if cached != "unset":
        return cached  # type: ignore[return-value]
    names = set(viewer.groups.values_list("name", flat=True))
    role = next((r for r in ALL_ROLES if r.value in names), None)
    viewer._openspm_role = role  # type: ignore[union-attr]
    return role


@dataclass(frozen=True)
class Scope:
    """Which payees' rows a viewer sees: all of them, a team as of today, self, or none."""

    kind: ScopeKind
    role: Role | None


def scope_of(viewer: Viewer) -> Scope:
    role = role_of(viewer)
    if role is None:
        return Scope(ScopeKind.NONE, None)
    if role in SEE_ALL_ROLES:
        return Scope(ScopeKind.ALL, role)
    if role is Role.MANAGER:
        return Scope(ScopeKind.TEAM, role)
    if role is Role.REP:
        return Scope(ScopeKind.SELF, role)
    return Scope(ScopeKind.PARTNER, role)


def can_edit(viewer: Viewer) -> bool:
    """May change reference data and run imports."""
    return role_of(viewer) in EDIT_ROLES


def require_edit(viewer: Viewer) -> None:
    if not can_edit(viewer):
        raise PermissionDenied("Only administrators and comp admins may change this data.")


def is_administrator(viewer: Viewer) -> bool:
    return role_of(viewer) is Role.ADMINISTRATOR


def is_internal(viewer: Viewer) -> bool:
    """Employees (every role but referral partner) see the company's reference data."""
    role = role_of(viewer)
    return role is not None and role is not Role.REFERRAL_PARTNER


def require_approver(viewer: Viewer) -> None:
    if role_of(viewer) not in APPROVE_ROLES:
        raise PermissionDenied("Only administrators, comp admins and finance may approve.")


def require_internal(viewer: Viewer) -> None:
    """Pages for employees only (referral partners have their own portal)."""
    if not is_internal(viewer):
        raise PermissionDenied("This page is for employees.")
