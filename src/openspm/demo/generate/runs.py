"""The last eight quarters paid: each one calculated, approved in steps, and closed but the last.

Written the way the comp team works, through the comp services and as the demo logins: the comp
admin requests a run of the quarter and submits it, the comp admin reviews it (step one), finance
approves it (step two, which publishes it), and finance closes the quarter. The quarters go in
order, so each run sees the payouts published before it (year-to-date true-ups). The runs execute
here, in this process (`execute_run`), as `openspm runs start --wait` does: the worker's job that
`request_run` queues finds the run taken and does nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from openspm.comp.models import CalcRun, PayoutLine
from openspm.comp.services import approvals, calc, close
from openspm.core.errors import OpenSPMError
from openspm.core.models import User
from openspm.demo.generate.base import Options, Progress
from openspm.org import selectors as org_selectors
from openspm.org.models import Period

TRIGGER = "demo"


class DemoRunFailed(OpenSPMError):
    """A demo quarter's run did not succeed (the generated data and plans disagree)."""

    status = 500
    code = "demo_run_failed"


@dataclass(frozen=True)
class PaidQuarters:
    """The quarters run, oldest first, with their published runs; all but the last closed."""

    periods: list[Period]
    runs: list[CalcRun]

    @property
    def current(self) -> Period:
        return self.periods[-1]


def last_quarters(options: Options) -> list[Period]:
    """The last eight quarters (`Options.paid_quarters`), oldest first."""
    keys = [span.key for span in options.paid_quarters]
    return list(Period.objects.filter(key__in=keys).order_by("start_on"))


def pay_quarters(options: Options, progress: Progress) -> PaidQuarters:
    """Run, approve and publish each of the last eight quarters, oldest first, closing each
    one but the current (and today's) once it is published."""
    comp_admin = User.objects.get(username="compadmin")
    finance = User.objects.get(username="finance")
    periods = last_quarters(options)
    runs = []
    closed = 0
    for period in periods:
        requested = calc.request_run(actor=comp_admin, period_key=period.key, trigger=TRIGGER)
        run = calc.execute_run(run_id=requested.pk)
        if run.status != CalcRun.Status.SUCCEEDED:
            raise DemoRunFailed(f"The demo run of {period.key} failed: {run.error}")
        approvals.submit_run(actor=comp_admin, run_id=run.pk)
        approvals.approve_run(actor=comp_admin, run_id=run.pk, comment="Reviewed: demo run.")
        approvals.approve_run(actor=finance, run_id=run.pk, comment="Approved for payroll.")
        runs.append(run)
        # Never today's quarter (an `--as-of` in the future): disputes pay into it.
        if period != periods[-1] and period.end_on < org_selectors.today():
            close.close_period(actor=finance, period_key=period.key)
            closed += 1
        progress(f"payouts {period.key}", PayoutLine.objects.filter(run=run).count())
    progress("published runs", len(runs))
    progress("closed quarters", closed)
    return PaidQuarters(periods=periods, runs=runs)
