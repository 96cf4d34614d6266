"""Reads of plans, restricted to what the viewer may see.

Administrators, comp admins and finance see every plan and draft. Managers and reps see the
published versions of plans assigned to payees they may see.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import date

from django.db.models import Q, QuerySet

from openspm.core.access import Viewer, role_of
from openspm.core.errors import NotFound
from openspm.core.roles import APPROVE_ROLES
from openspm.org import selectors as org_selectors
from openspm.org.models import Person, TeamMembership
from openspm.plans.models import Plan, PlanAcceptance, PlanAssignment, PlanVersion


def sees_all_plans(viewer: Viewer) -> bool:
    return role_of(viewer) in APPROVE_ROLES


def _active_on(on: date) -> Q:
    return Q(effective_from__lte=on) & (Q(effective_to__isnull=True) | Q(effective_to__gt=on))


def plan_ids_for_person(*, person: Person, on: date | None = None) -> set[int]:
    """Plans assigned to `person` (directly, by team or by title), on a date or ever."""
    assignments = PlanAssignment.objects.all()
    teams = TeamMembership.objects.filter(person=person)
    if on is not None:
        assignments = assignments.filter(_active_on(on))
        teams = teams.active_on(on)
    target = Q(person=person) | Q(team_id__in=teams.values("team_id"))
    if person.title:
        target |= Q(title__iexact=person.title)
    return set(assignments.filter(target).values_list("plan_id", flat=True))


def _visible_plan_ids(viewer: Viewer) -> set[int] | None:
    if sees_all_plans(viewer):
        return None
    ids = org_selectors.visible_person_ids(viewer=viewer)
    if not ids:
        return set()
    teams = TeamMembership.objects.filter(person_id__in=ids).values("team_id")
    titles = {
        t.lower() for t in Person.objects.filter(pk__in=ids).values_list("title", flat=True) if t
    }
    target = Q(person_id__in=ids) | Q(team_id__in=teams)
    assigned = set(PlanAssignment.objects.filter(target).values_list("plan_id", flat=True))
    if titles:
        by_title = PlanAssignment.objects.exclude(title="").values_list("plan_id", "title")
        assigned |= {plan_id for plan_id, title in by_title if title.lower() in titles}
    return assigned


def list_plans(*, viewer: Viewer) -> QuerySet[Plan]:
    ids = _visible_plan_ids(viewer)
    qs = Plan.objects.all()
    return qs if ids is None else qs.filter(pk__in=ids)


def get_plan(*, viewer: Viewer, plan_id: int) -> Plan:
    plan = list_plans(viewer=viewer).filter(pk=plan_id).first()
    if plan is None:
        raise NotFound("No such plan.")
    return plan


def list_versions(*, viewer: Viewer, plan_id: int | None = None) -> QuerySet[PlanVersion]:
    qs = PlanVersion.objects.select_related("plan", "author", "decided_by")
    ids = _visible_plan_ids(viewer)
    if ids is not None:
        qs = qs.filter(plan_id__in=ids, status=PlanVersion.Status.PUBLISHED)
    if plan_id is not None:
        qs = qs.filter(plan_id=plan_id)
    return qs


def get_version(*, viewer: Viewer, version_id: int) -> PlanVersion:
    version = list_versions(viewer=viewer).filter(pk=version_id).first()
    if version is None:
        raise NotFound("No such plan version.")
    return version


def list_pending_versions(*, viewer: Viewer) -> QuerySet[PlanVersion]:
    if not sees_all_plans(viewer):
        return PlanVersion.objects.none()
    return list_versions(viewer=viewer).filter(status=PlanVersion.Status.PENDING)


def list_assignments(*, viewer: Viewer, plan_id: int) -> QuerySet[PlanAssignment]:
    plan = get_plan(viewer=viewer, plan_id=plan_id)
    qs = PlanAssignment.objects.filter(plan=plan).select_related("person", "team")
    if sees_all_plans(viewer):
        return qs
    ids = org_selectors.visible_person_ids(viewer=viewer) or set()
    return qs.filter(person_id__in=ids)


def list_acceptances(*, viewer: Viewer, version_id: int) -> QuerySet[PlanAcceptance]:
    version = get_version(viewer=viewer, version_id=version_id)
    return org_selectors.restrict_to_people(
        PlanAcceptance.objects.filter(version=version).select_related("person"), viewer=viewer
    )


@dataclass(frozen=True)
class DiffLine:
    kind: str  # "context", "added", "removed" or "hunk"
    text: str


def diff_versions(*, viewer: Viewer, old_id: int, new_id: int) -> list[DiffLine]:
    """A unified diff of two versions' documents (of the same plan)."""
    old = get_version(viewer=viewer, version_id=old_id)
    new = get_version(viewer=viewer, version_id=new_id)
    if old.plan_id != new.plan_id:
        raise NotFound("Those versions belong to different plans.")
    lines = difflib.unified_diff(
        old.text.splitlines(),
        new.text.splitlines(),
        fromfile=f"v{old.number}",
        tofile=f"v{new.number}",
        lineterm="",
    )
    out = []
    for line in lines:
        if line.startswith(("---", "+++")):
            continue
        kind = {"@": "hunk", "+": "added", "-": "removed"}.get(line[:1], "context")
        out.append(DiffLine(kind, line))
    return out


@dataclass(frozen=True)
class PayeeAssignment:
    """One payee on one plan over [effective_from, effective_to): the engine's input row."""

    person_id: int
    plan_code: str
    effective_from: date
    effective_to: date | None


def resolve_assignments(*, start: date, end: date) -> list[PayeeAssignment]:
    """Expand person, team and title assignments into payee rows overlapping [start, end).

    Team rows are clipped to each member's membership; title rows to employment.
    """
    window = Q(effective_from__lt=end) & (Q(effective_to__isnull=True) | Q(effective_to__gt=start))
    rows: list[PayeeAssignment] = []
    assignments = PlanAssignment.objects.filter(window).select_related("plan")
    memberships = list(TeamMembership.objects.filter(window))
    people = list(Person.objects.filter(hired_on__lt=end))
    for a in assignments:
        if a.person_id:
            rows.append(PayeeAssignment(a.person_id, a.plan.code, a.effective_from, a.effective_to))
        elif a.team_id:
            for m in memberships:
                if m.team_id == a.team_id:
                    clipped = _clip(
                        a.effective_from, a.effective_to, m.effective_from, m.effective_to
                    )
                    if clipped:
                        rows.append(PayeeAssignment(m.person_id, a.plan.code, *clipped))
        else:
            for p in people:
                if p.title.lower() == a.title.lower():
                    clipped = _clip(a.effective_from, a.effective_to, p.hired_on, p.terminated_on)
                    if clipped:
                        rows.append(PayeeAssignment(p.pk, a.plan.code, *clipped))
    return sorted(rows, key=lambda r: (r.person_id, r.plan_code, r.effective_from))


def _clip(
    a_from: date, a_to: date | None, b_from: date, b_to: date | None
) -> tuple[date, date | None] | None:
    start = max(a_from, b_from)
    ends = [d for d in (a_to, b_to) if d is not None]
    end = min(ends) if ends else None
    if end is not None and end <= start:
        return None
    return start, end


def published_version_on(*, plan_code: str, on: date) -> PlanVersion | None:
    """The published version of a plan in force on `on` (the latest to start by then)."""
    return (
        PlanVersion.objects.select_related("plan")
        .filter(plan__code=plan_code, status=PlanVersion.Status.PUBLISHED, effective_from__lte=on)
        .order_by("-effective_from", "-number")
        .first()
    )
