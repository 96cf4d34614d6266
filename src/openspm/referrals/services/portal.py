"""The partner and employee portal: which programs a signed-in user may refer to, and their
own referrer record in one (created on first use)."""

from __future__ import annotations

from django.db import transaction
from django.db.models import QuerySet

from openspm.core.access import ScopeKind, Viewer, role_of, scope_of
from openspm.core.errors import NotFound, PermissionDenied
from openspm.core.roles import Role
from openspm.org import selectors as org_selectors
from openspm.referrals.models import Program, Referrer
from openspm.referrals.services import programs


def joinable_programs(*, viewer: Viewer) -> QuerySet[Program]:
    """Partners refer to partner programs, employees to employee programs."""
    role = role_of(viewer)
    if role is None:
        return Program.objects.none()
    kind = Program.Kind.PARTNER if role is Role.REFERRAL_PARTNER else Program.Kind.EMPLOYEE
    return Program.objects.filter(is_active=True, kind=kind)


@transaction.atomic
def referrer_for(*, viewer: Viewer, program_id: int) -> Referrer:
    """The viewer's referrer record in a program they may join; created with a fresh code."""
    if scope_of(viewer).kind is ScopeKind.NONE:
        raise PermissionDenied("Sign in to refer.")
    program = joinable_programs(viewer=viewer).filter(pk=program_id).first()
    if program is None:
        raise NotFound("No such program.")
    existing = Referrer.objects.filter(program=program, user=viewer).first()  # type: ignore[misc]
    if existing is not None:
        return existing
    person = org_selectors.get_viewer_person(viewer=viewer)
    name = viewer.get_full_name() or viewer.get_username()  # type: ignore[union-attr]
    email = viewer.email or f"{viewer.get_username()}@users.invalid"  # type: ignore[union-attr]
    return programs.create_referrer(
        program=program,
        name=name,
        email=email,
        user=viewer,  # type: ignore[arg-type]
        person=person,
    )
