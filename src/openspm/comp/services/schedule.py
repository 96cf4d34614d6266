"""Requesting runs again or on a timetable: the retry of a failed run, and due CalcSchedules.

Both go through `calc.request_run`, so a retry or a schedule never starts a second run of a
period while one is active (RunInProgress). Due schedules are fired by every `openspm worker`
on an interval (`fire_due_schedules`), or by cron calling `openspm runs schedule`; each
schedule is claimed in the database, so however many callers there are it fires once a day.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime

from django.db import transaction
from django.utils import timezone

from openspm.comp.errors import RunInProgress
from openspm.comp.models import CalcRun, CalcSchedule
from openspm.comp.selectors import runs as run_selectors
from openspm.comp.services import calc
from openspm.core.access import Viewer, require_edit
from openspm.core.errors import InvalidInput
from openspm.core.models import User
from openspm.core.roles import Role
from openspm.org import selectors as org_selectors
from openspm.org.models import Period

log = logging.getLogger(__name__)


def retry_run(*, actor: Viewer, run_id: int, trigger: str = "ui") -> CalcRun:
    """Queue a new run of a failed run's period (the failed run stays, with its error)."""
    run = run_selectors.get_run(viewer=actor, run_id=run_id)
    require_edit(actor)
    if run.status != CalcRun.Status.FAILED:
        raise InvalidInput(f"Run {run.pk} is {run.status}; only a failed run can be retried.")
    return calc.request_run(actor=actor, period_key=run.period.key, trigger=trigger)


@dataclass(frozen=True)
class ScheduleOutcome:
    """What one due schedule did: `run` when it requested one, else why not (`note`)."""

    schedule: str
    period_key: str
    run_id: int | None
    note: str


def run_due_schedules(*, actor: Viewer, now: datetime | None = None) -> list[ScheduleOutcome]:
    """For each active schedule whose hour (UTC) has passed today and that has not run today,
    request a run of the open period of its kind containing today.

    Idempotent, also across processes: each schedule is claimed by a conditional `UPDATE`
    (`last_run_on = today` where it is still earlier) in the same transaction as its run, so
    of two callers (two workers, a worker and cron) only the one whose update changed the row
    requests the run; the other skips it. A schedule whose period already has an active run
    counts as done for the day.
    """
    require_edit(actor)
    now = (now or timezone.now()).astimezone(UTC)
    due = (
        CalcSchedule.objects.filter(is_active=True, hour__lte=now.hour)
        .exclude(last_run_on__gte=now.date())
        .order_by("name")
    )
    outcomes = (_fire(schedule, actor=actor, today=now.date()) for schedule in list(due))
    return [outcome for outcome in outcomes if outcome is not None]


@transaction.atomic
def _fire(schedule: CalcSchedule, *, actor: Viewer, today: date) -> ScheduleOutcome | None:
    """Claim `schedule` for `today` and request its run; None when another caller claimed it."""
    period = org_selectors.get_period_containing(on=today, kind=schedule.period_kind)
    if period is None or period.status != Period.Status.OPEN:
        return ScheduleOutcome(
            schedule.name,
            period.key if period else "",
            None,
            f"no open {schedule.period_kind} contains {today}",
        )
    claimed = (
        CalcSchedule.objects.filter(pk=schedule.pk, is_active=True)
        .exclude(last_run_on__gte=today)
        .update(last_run_on=today, updated_at=timezone.now())
    )
    if not claimed:
        return None
    try:
        run = calc.request_run(actor=actor, period_key=period.key, trigger="schedule")
    except RunInProgress as error:
        return ScheduleOutcome(schedule.name, period.key, None, error.message)
    return ScheduleOutcome(schedule.name, period.key, run.pk, "requested")


def scheduler_actor() -> User | None:
    """Whom scheduled runs are requested as: the first active administrator, if any."""
    active = User.objects.filter(is_active=True).order_by("pk")
    return (
        active.filter(is_superuser=True).first()
        or active.filter(groups__name=Role.ADMINISTRATOR.value).first()
    )


def fire_due_schedules(*, now: datetime | None = None) -> list[ScheduleOutcome]:
    """The worker's scheduler tick: `run_due_schedules` as the first administrator."""
    actor = scheduler_actor()
    if actor is None:
        log.warning("Calc schedules are not fired: no active administrator to run them as.")
        return []
    outcomes = run_due_schedules(actor=actor, now=now)
    for outcome in outcomes:
        log.info("schedule %s: %s %s", outcome.schedule, outcome.period_key or "-", outcome.note)
    return outcomes
