"""Runs and their published state, restricted to what the viewer may see."""

from __future__ import annotations

from django.db.models import QuerySet

from openspm.comp.models import CalcRun
from openspm.core.access import Viewer, is_internal, role_of
from openspm.core.errors import NotFound
from openspm.core.roles import APPROVE_ROLES
from openspm.org.models import Period


def sees_runs(viewer: Viewer) -> bool:
    """Runs (all payees at once) are for administrators, comp admins and finance."""
    return role_of(viewer) in APPROVE_ROLES


def list_runs(*, viewer: Viewer, period_key: str = "") -> QuerySet[CalcRun]:
    qs = CalcRun.objects.select_related("period", "requested_by")
    if not sees_runs(viewer):
        return qs.none()
    return qs.filter(period__key=period_key) if period_key else qs


def get_run(*, viewer: Viewer, run_id: int) -> CalcRun:
    run = list_runs(viewer=viewer).filter(pk=run_id).first()
    if run is None:
        raise NotFound("No such run.")
    return run


def get_published_run(*, period: Period) -> CalcRun | None:
    """The run whose results are final for `period`: the one fully approved."""
    return CalcRun.objects.filter(period=period, approval=CalcRun.Approval.APPROVED).first()


def get_latest_succeeded_run(*, period: Period) -> CalcRun | None:
    return (
        CalcRun.objects.filter(period=period, status=CalcRun.Status.SUCCEEDED)
        .order_by("-finished_at", "-pk")
        .first()
    )


def get_statement_run(*, viewer: Viewer, period: Period) -> CalcRun | None:
    """The run a viewer's statements come from: the published run; comp admins, finance and
    administrators also see the latest succeeded run before it is published (a preview)."""
    published = get_published_run(period=period)
    if published is not None or not sees_runs(viewer) or not is_internal(viewer):
        return published
    return get_latest_succeeded_run(period=period)
