"""`openspm runs start|list|schedule`: calc runs from the command line."""

from __future__ import annotations

import json
import threading
import time
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, connection

from openspm.comp.models import CalcRun
from openspm.comp.selectors import runs as selectors
from openspm.comp.services import calc, schedule
from openspm.core.errors import OpenSPMError
from openspm.core.models import User
from openspm.core.roles import Role

POLL_SECONDS = 0.5


class Command(BaseCommand):
    help = (
        "Calc runs. `runs start PERIOD` queues a run of PERIOD for the worker; with --wait it "
        "executes the run here, printing its progress and a summary (exit status 1 when it "
        "fails). `runs list` lists runs. `runs schedule` requests the runs of the calc "
        "schedules that are due (safe to call as often as you like, e.g. from cron)."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        start = sub.add_parser("start", help="queue (or with --wait, execute) a run of PERIOD")
        start.add_argument("period", metavar="PERIOD", help="a period key: 2026-Q1, 2026-M01")
        start.add_argument("--wait", action="store_true", help="execute here and wait")
        listing = sub.add_parser("list", help="list runs, newest first")
        listing.add_argument("--period", default="", help="only the runs of this period")
        listing.add_argument("--limit", type=int, default=50)
        sub.add_parser("schedule", help="request the runs of the due calc schedules")
        for action in (start, listing, sub.choices["schedule"]):
            action.add_argument(
                "--as",
                dest="username",
                metavar="USERNAME",
                help="act as this user; default: the first administrator",
            )
            action.add_argument("--json", action="store_true", help="print the result as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = _actor(options["username"])
        try:
            if options["action"] == "start":
                self._start(actor, options["period"], wait=options["wait"], as_json=options["json"])
            elif options["action"] == "list":
                self._list(actor, options["period"], options["limit"], as_json=options["json"])
            else:
                self._schedule(actor, as_json=options["json"])
        except OpenSPMError as error:
            raise CommandError(error.message) from None

    def _start(self, actor: User, period: str, *, wait: bool, as_json: bool) -> None:
        run = calc.request_run(actor=actor, period_key=period, trigger="cli")
        if not wait:
            self._emit(_run_dict(run) if as_json else f"Run {run.pk} of {period} is queued.")
            return
        if not as_json:
            self.stderr.write(f"Run {run.pk} of {period}: executing here.")
        watcher = _Watcher(run.pk, self.stderr) if not as_json else None
        if watcher is not None:
            watcher.start()
        try:
            run = calc.execute_run(run_id=run.pk)
            while run.is_active:  # a worker claimed it first: wait for it
                time.sleep(POLL_SECONDS)
                run.refresh_from_db()
        finally:
            if watcher is not None:
                watcher.stop()
        totals = selectors.list_currency_totals(viewer=actor, run_id=run.pk)
        if as_json:
            self._emit(
                _run_dict(run)
                | {"totals": [{"currency": t.currency, "amount": str(t.amount)} for t in totals]}
            )
        else:
            self.stderr.write(f"{run.progress} % {run.progress_note}")
            self.stdout.write(_summary(run, totals))
        if run.status != CalcRun.Status.SUCCEEDED:
            raise CommandError(f"Run {run.pk} failed: {run.error}")

    def _list(self, actor: User, period: str, limit: int, *, as_json: bool) -> None:
        runs = list(selectors.list_runs(viewer=actor, period_key=period)[:limit])
        if as_json:
            self._emit([_run_dict(r) for r in runs])
            return
        if not runs:
            self.stdout.write("No runs.")
            return
        self.stdout.write(f"{'RUN':>6}  {'PERIOD':<9} {'STATUS':<10} {'APPROVAL':<11} FINGERPRINT")
        for r in runs:
            self.stdout.write(
                f"{r.pk:>6}  {r.period.key:<9} {r.status:<10} {r.approval:<11} "
                f"{r.fingerprint[:12] or '-':<12} {r.trigger} "
                f"{r.created_at:%Y-%m-%d %H:%M} {r.requested_by or 'system'}"
            )

    def _schedule(self, actor: User, *, as_json: bool) -> None:
        outcomes = schedule.run_due_schedules(actor=actor)
        if as_json:
            self._emit(
                [
                    {
                        "schedule": o.schedule,
                        "period": o.period_key,
                        "run_id": o.run_id,
                        "note": o.note,
                    }
                    for o in outcomes
                ]
            )
            return
        if not outcomes:
            self.stdout.write("No schedule is due.")
        for o in outcomes:
            what = f"run {o.run_id} requested" if o.run_id else o.note
            self.stdout.write(f"{o.schedule}: {o.period_key or '-'}: {what}")

    def _emit(self, value: object) -> None:
        text = value if isinstance(value, str) else json.dumps(value, indent=2, default=str)
        self.stdout.write(text)


def _actor(username: str | None) -> User:
    """`--as USERNAME`, else the first active administrator."""
    active = User.objects.filter(is_active=True).order_by("pk")
    if username:
        user = active.filter(username=username).first()
        if user is None:
            raise CommandError(f"No active user {username!r}.")
        return user
    user = (
        active.filter(is_superuser=True).first()
        or active.filter(groups__name=Role.ADMINISTRATOR.value).first()
    )
    if user is None:
        raise CommandError("No administrator exists: pass --as USERNAME or run createadmin.")
    return user


def _run_dict(run: CalcRun) -> dict[str, object]:
    return {
        "id": run.pk,
        "period": run.period.key,
        "status": run.status,
        "approval": run.approval,
        "trigger": run.trigger,
        "progress": run.progress,
        "fingerprint": run.fingerprint,
        "plan_versions": run.plan_versions,
        "input_counts": run.input_counts,
        "error": run.error,
        "created_at": run.created_at,
        "finished_at": run.finished_at,
    }


def _summary(run: CalcRun, totals: list[selectors.CurrencyTotal]) -> str:
    lines = [f"Run {run.pk} of {run.period.key}: {run.status}"]
    if run.status == CalcRun.Status.SUCCEEDED:
        took = (
            (run.finished_at - run.started_at).total_seconds()
            if run.started_at and run.finished_at
            else 0
        )
        lines.append(f"  fingerprint {run.fingerprint}  ({took:.1f} s)")
        plans = ", ".join(f"{v['code']} v{v['version']}" for v in run.plan_versions)
        lines.append(f"  plans: {plans}")
        counts = ", ".join(f"{n} {c}" for n, c in sorted(run.input_counts.items()))
        lines.append(f"  inputs: {counts}")
        for t in totals:
            lines.append(f"  payouts {t.currency}: {t.amount:,.2f} to {t.payee_count} payee(s)")
    return "\n".join(lines)


class _Watcher:
    """Prints the run's progress while it executes, read from the database by a thread.

    Not on an in-memory SQLite database (tests): its shared cache would make the thread's
    reads lock the tables the run writes.
    """

    def __init__(self, run_id: int, stream: Any) -> None:
        self.run_id = run_id
        self.stream = stream
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self.enabled = not (
            connection.vendor == "sqlite" and connection.is_in_memory_db()  # type: ignore[attr-defined]
        )

    def start(self) -> None:
        if self.enabled:
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)

    def _loop(self) -> None:
        from django.db import connections

        shown = None
        try:
            while not self._stop.wait(POLL_SECONDS):
                try:
                    row = (
                        CalcRun.objects.filter(pk=self.run_id)
                        .values_list("progress", "progress_note")
                        .first()
                    )
                except DatabaseError:
                    continue
                if row is not None and row != shown:
                    shown = row
                    self.stream.write(f"{row[0]} % {row[1]}")
        finally:
            connections.close_all()
