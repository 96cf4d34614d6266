"""Writes to plans: drafts, approval and publication, assignments, acceptance. Each is atomic."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone

from openspm.core.access import Viewer, require_approver, require_edit
from openspm.core.errors import InvalidInput, NotFound
from openspm.core.models import User
from openspm.org.models import Person, Team
from openspm.plans.documents import check_document, fingerprint, with_version
from openspm.plans.errors import ApprovalRefused, PlanInvalid, PlanNotEditable
from openspm.plans.models import Plan, PlanAcceptance, PlanAssignment, PlanVersion
from openspm.plans.selectors import plan_ids_for_person


def _author(actor: Viewer) -> User | None:
    return actor if isinstance(actor, User) else None


def _lock_version(version_id: int) -> PlanVersion:
    version = (
        PlanVersion.objects.select_for_update().select_related("plan").filter(pk=version_id).first()
    )
    if version is None:
        raise NotFound("No such plan version.")
    return version


@transaction.atomic
def create_plan(
    *, actor: Viewer, code: str, name: str, text: str, effective_from: date, description: str = ""
) -> PlanVersion:
    """A new plan with its first draft. The draft may have problems; submitting needs none."""
    require_edit(actor)
    plan = Plan(code=code, name=name, description=description)
    plan.full_clean()
    plan.save()
    version = PlanVersion(
        plan=plan,
        number=1,
        text=text,
        fingerprint=fingerprint(text),
        effective_from=effective_from,
        author=_author(actor),
    )
    version.full_clean()
    version.save()
    return version


@transaction.atomic
def update_draft(
    *,
    actor: Viewer,
    version_id: int,
    text: str,
    effective_from: date | None = None,
    effective_to: date | None = None,
) -> PlanVersion:
    require_edit(actor)
    version = _lock_version(version_id)
    if not version.is_editable:
        raise PlanNotEditable(
            f"{version} is {version.get_status_display().lower()}: copy it to a new draft."
        )
    version.text = text
    version.fingerprint = fingerprint(text)
    version.status = PlanVersion.Status.DRAFT
    if effective_from is not None:
        version.effective_from = effective_from
    version.effective_to = effective_to
    version.full_clean()
    version.save()
    return version


@transaction.atomic
def new_draft(*, actor: Viewer, plan_id: int, from_version_id: int | None = None) -> PlanVersion:
    """A new draft copied from `from_version_id` (default: the latest version), numbered next."""
    require_edit(actor)
    plan = Plan.objects.select_for_update().filter(pk=plan_id).first()
    if plan is None:
        raise NotFound("No such plan.")
    versions = plan.versions.order_by("-number")
    source = versions.filter(pk=from_version_id).first() if from_version_id else versions.first()
    if source is None:
        raise NotFound("No such plan version.")
    number = versions.first().number + 1  # type: ignore[union-attr]
    text = with_version(source.text, number)
    draft = PlanVersion(
        plan=plan,
        number=number,
        text=text,
        fingerprint=fingerprint(text),
        effective_from=source.effective_from,
        effective_to=source.effective_to,
        author=_author(actor),
    )
    draft.full_clean()
    draft.save()
    return draft


@transaction.atomic
def submit_version(*, actor: Viewer, version_id: int) -> PlanVersion:
    """Send a valid draft for approval."""
    require_edit(actor)
    version = _lock_version(version_id)
    if not version.is_editable:
        raise PlanNotEditable(f"{version} cannot be submitted.")
    issues = check_document(
        version.text,
        code=version.plan.code,
        number=version.number,
        effective_from=version.effective_from,
        effective_to=version.effective_to,
    )
    if issues:
        raise PlanInvalid(
            f"{version} has {len(issues)} problem(s); fix them before submitting.",
            detail=[{"line": i.line, "path": i.path, "message": i.message} for i in issues],
        )
    version.status = PlanVersion.Status.PENDING
    version.submitted_at = timezone.now()
    version.save(update_fields=["status", "submitted_at", "updated_at"])
    return version


@transaction.atomic
def approve_version(*, actor: Viewer, version_id: int, comment: str = "") -> PlanVersion:
    """Publish a pending version. Its author may not approve it (four eyes).

    The version published before it, if still open past this one's start, now ends there.
    """
    require_approver(actor)
    version = _lock_version(version_id)
    if version.status != PlanVersion.Status.PENDING:
        raise ApprovalRefused(f"{version} is not waiting for approval.")
    if version.author_id is not None and version.author_id == actor.pk:
        raise ApprovalRefused("You wrote this version: someone else must approve it.")
    later = PlanVersion.objects.filter(
        plan_id=version.plan_id,
        status=PlanVersion.Status.PUBLISHED,
        effective_from__gte=version.effective_from,
    )
    if later.exists():
        raise ApprovalRefused(
            f"A published version of {version.plan.code} already starts on or after "
            f"{version.effective_from}; start this one later."
        )
    overlapping = (
        PlanVersion.objects.select_for_update()
        .filter(
            plan_id=version.plan_id,
            status=PlanVersion.Status.PUBLISHED,
            effective_from__lt=version.effective_from,
        )
        .exclude(effective_to__lte=version.effective_from)
    )
    for earlier in overlapping:
        earlier.effective_to = version.effective_from
        earlier.save(update_fields=["effective_to", "updated_at"])
    version.status = PlanVersion.Status.PUBLISHED
    version.decided_by = actor  # type: ignore[assignment]
    version.decided_at = timezone.now()
    version.decision_comment = comment
    version.save(
        update_fields=["status", "decided_by", "decided_at", "decision_comment", "updated_at"]
    )
    return version


@transaction.atomic
def reject_version(*, actor: Viewer, version_id: int, comment: str) -> PlanVersion:
    require_approver(actor)
    if not comment.strip():
        raise InvalidInput("Say why the version is rejected.")
    version = _lock_version(version_id)
    if version.status != PlanVersion.Status.PENDING:
        raise ApprovalRefused(f"{version} is not waiting for approval.")
    version.status = PlanVersion.Status.REJECTED
    version.decided_by = actor  # type: ignore[assignment]
    version.decided_at = timezone.now()
    version.decision_comment = comment
    version.save(
        update_fields=["status", "decided_by", "decided_at", "decision_comment", "updated_at"]
    )
    return version


@transaction.atomic
def assign_plan(
    *,
    actor: Viewer,
    plan_id: int,
    effective_from: date,
    effective_to: date | None = None,
    person: Person | None = None,
    team: Team | None = None,
    title: str = "",
) -> PlanAssignment:
    require_edit(actor)
    plan = Plan.objects.filter(pk=plan_id).first()
    if plan is None:
        raise NotFound("No such plan.")
    if sum(bool(x) for x in (person, team, title)) != 1:
        raise InvalidInput("Assign a plan to exactly one of: a person, a team or a job title.")
    assignment = PlanAssignment(
        plan=plan,
        person=person,
        team=team,
        title=title,
        effective_from=effective_from,
        effective_to=effective_to,
    )
    assignment.full_clean()
    assignment.save()
    return assignment


@transaction.atomic
def end_assignment(*, actor: Viewer, assignment_id: int, on: date) -> PlanAssignment:
    require_edit(actor)
    assignment = PlanAssignment.objects.select_for_update().filter(pk=assignment_id).first()
    if assignment is None:
        raise NotFound("No such assignment.")
    assignment.effective_to = on
    assignment.full_clean()
    assignment.save(update_fields=["effective_to", "updated_at"])
    return assignment


@transaction.atomic
def accept_version(*, actor: Viewer, version_id: int) -> PlanAcceptance:
    """The signed-in payee accepts a published version they are assigned to (idempotent)."""
    person = Person.objects.filter(user_id=actor.pk).first() if actor.is_authenticated else None
    if person is None:
        raise NotFound("Only payees accept plans.")
    version = PlanVersion.objects.filter(pk=version_id, status=PlanVersion.Status.PUBLISHED).first()
    if version is None:
        raise NotFound("No such published plan version.")
    if version.plan_id not in plan_ids_for_person(person=person):
        raise NotFound("No such published plan version.")
    acceptance, _ = PlanAcceptance.objects.get_or_create(
        version=version,
        person=person,
        defaults={"fingerprint": version.fingerprint, "accepted_at": timezone.now()},
    )
    return acceptance
