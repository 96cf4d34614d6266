"""Requesting runs again or on a timetable: the retry of a failed run, and due CalcSchedules.

Both go through `calc.request_run`, so a retry or a schedule never starts a second run of a
period while one is active (RunInProgress).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from django.db import transaction
from django.utils import timezone

from openspm.comp.errors import RunInProgress
from openspm.comp.models import CalcRun, CalcSchedule
from openspm.comp.selectors import runs as run_selectors
from openspm.comp.services import calc
from openspm.core.access import Viewer, require_edit
from openspm.core.errors import InvalidInput
from openspm.org import selectors as org_selectors
from openspm.org.models import Period


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


@transaction.atomic
def run_due_schedules(*, actor: Viewer, now: datetime | None = None) -> list[ScheduleOutcome]:
    """For each active schedule whose hour (UTC) has passed today and that has not run today,
    request a run of the open period of its kind containing today.

    Idempotent: a schedule is stamped `last_run_on = today` in the same transaction as its
    run, and the schedules are locked while they are handled, so calling this twice (or from
    two processes) requests at most one run per schedule per day. A schedule whose period
    already has an active run counts as done for the day.
    """
    require_edit(actor)
    now = (now or timezone.now()).astimezone(UTC)
    today = now.date()
    due = (
        CalcSchedule.objects.select_for_update()
        .filter(is_active=True, hour__lte=now.hour)
        .exclude(last_run_on__gte=today)
        .order_by("name")
    )
    outcomes = []
    for schedule in due:
        period = org_selectors.get_period_containing(on=today, kind=schedule.period_kind)
        if period is None or period.status != Period.Status.OPEN:
            outcomes.append(
                ScheduleOutcome(
                    schedule.name,
                    period.key if period else "",
                    None,
                    f"no open {schedule.period_kind} contains {today}",
                )
            )
            continue
        try:
            run = calc.request_run(actor=actor, period_key=period.key, trigger="schedule")
        except RunInProgress as error:
            outcome = ScheduleOutcome(schedule.name, period.key, None, error.message)
        else:
            outcome = ScheduleOutcome(schedule.name, period.key, run.pk, "requested")
        schedule.last_run_on = today
        schedule.save(update_fields=["last_run_on", "updated_at"])
        outcomes.append(outcome)
    return outcomes
