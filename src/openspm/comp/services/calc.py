"""Calculation runs: request, execute (in a worker), recover from a killed worker, reproduce.

`run_engine` is the app's one door to the engine (STYLE E3): runs, reproductions, simulations
and the what-if estimator all go through it, so the engine is configured in one place (DuckDB
threads, `as_of` = the period's last day). Inputs are read from the database in bulk as Arrow,
the engine runs in-process, the archive is written, and then every result line is inserted in
one transaction: a run either has all its lines or none.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from functools import partial

import pyarrow as pa
from django.db import IntegrityError, close_old_connections, connection, transaction
from django.utils import timezone

from openspm import engine
from openspm.comp import archive
from openspm.comp import inputs as run_inputs
from openspm.comp.errors import NothingToRun, RunFailed, RunInProgress
from openspm.comp.models import ACTIVE_STATUSES, CalcRun, PayoutLine
from openspm.comp.services.results import write_lines
from openspm.core.access import Viewer, require_edit
from openspm.core.errors import NotFound, OpenSPMError
from openspm.core.models import User
from openspm.engine.plan.loader import LoadedPlan
from openspm.org import selectors as org_selectors
from openspm.org.models import Period
from openspm.plans import selectors as plan_selectors
from openspm.plans.models import PlanVersion

log = logging.getLogger(__name__)
#: DuckDB threads of an in-app engine run; None lets DuckDB use every core.
ENGINE_THREADS: int | None = None
HEARTBEAT_SECONDS = 5
STALE_AFTER = timedelta(minutes=2)
WORKER_STOPPED = (
    "The worker stopped (killed or crashed) before the run finished; no results were kept. "
    "Start the run again."
)


def _worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


@transaction.atomic
def request_run(*, actor: Viewer, period_key: str, trigger: str = "ui") -> CalcRun:
    """Queue a run of `period_key`; refused while another run of that period is active."""
    require_edit(actor)
    period = org_selectors.get_period(key=period_key)
    recover_stale_runs()
    active = CalcRun.objects.filter(period=period, status__in=ACTIVE_STATUSES).first()
    if active is not None:
        raise RunInProgress(
            f"Run {active.pk} of {period.key} is {active.status}; wait for it to finish.",
            detail={"run_id": active.pk},
        )
    try:
        with transaction.atomic():
            run = CalcRun.objects.create(
                period=period,
                requested_by=actor if isinstance(actor, User) else None,
                trigger=trigger,
            )
    except IntegrityError:
        raise RunInProgress(f"A run of {period.key} was just started; wait for it.") from None
    from openspm.comp import tasks

    transaction.on_commit(partial(tasks.execute_calc_run.enqueue, run_id=run.pk))
    return run


def recover_stale_runs() -> list[int]:
    """Mark as failed the runs whose worker died: its process is gone (same host) or it has
    sent no heartbeat for `STALE_AFTER`. Their archives are removed; they have no lines."""
    host = socket.gethostname()
    cutoff = timezone.now() - STALE_AFTER
    failed = []
    for run in CalcRun.objects.filter(status=CalcRun.Status.RUNNING):
        worker_host, _, pid = run.worker.partition(":")
        dead_here = worker_host == host and pid.isdigit() and not _alive(int(pid))
        silent = run.heartbeat_at is None or run.heartbeat_at < cutoff
        if dead_here or silent:
            updated = CalcRun.objects.filter(pk=run.pk, status=CalcRun.Status.RUNNING).update(
                status=CalcRun.Status.FAILED, finished_at=timezone.now(), error=WORKER_STOPPED
            )
            if updated:
                archive.delete_archive(run.pk)
                failed.append(run.pk)
    return failed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def execute_run(*, run_id: int, heartbeat: bool = False) -> CalcRun:
    """Run a queued run to completion. Safe to call twice: only one caller claims the run.

    Workers pass `heartbeat=True`: a thread then stamps the run every few seconds, so a run
    whose worker was killed on another host is recognised as stale.
    """
    now = timezone.now()
    claimed = CalcRun.objects.filter(pk=run_id, status=CalcRun.Status.QUEUED).update(
        status=CalcRun.Status.RUNNING,
        started_at=now,
        heartbeat_at=now,
        worker=_worker_id(),
        progress=1,
        progress_note="starting",
    )
    run = CalcRun.objects.select_related("period").get(pk=run_id)
    if not claimed:
        return run
    beat = _Heartbeat(run_id)
    if heartbeat:
        beat.start()
    try:
        _calculate(run, progress=partial(_progress, run_id))
    except (engine.EngineError, OpenSPMError) as error:
        _fail(run_id, str(error))
    except Exception as error:
        log.exception("run %s failed", run_id)
        _fail(run_id, f"Internal error: {error!r}")
    finally:
        beat.stop()
    return CalcRun.objects.get(pk=run_id)


def run_engine(
    plans: Sequence[LoadedPlan], tables: dict[str, pa.Table], *, period: Period
) -> engine.RunResult:
    """Run the engine in-process on `tables` for `period`, as of its last day."""
    return engine.run(
        list(plans), tables, period=period.key, as_of=period.end_on, threads=ENGINE_THREADS
    )


def load_versions(versions: Sequence[PlanVersion]) -> list[LoadedPlan]:
    """Parse the plan documents of `versions`, each named after its plan's code."""
    return [engine.load_plan_text(v.text, file=f"{v.plan.code}.yaml") for v in versions]


class _Stopwatch:
    """Seconds spent per stage of a run, logged at the end (benchmarks/app.py reads them)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.extra: dict[str, float] = {}
        self._stage = ""
        self._since = time.perf_counter()

    def next(self, stage: str) -> None:
        now = time.perf_counter()
        if self._stage:
            self.seconds[self._stage] = now - self._since
        self._stage, self._since = stage, now

    def elapsed(self) -> float:
        """Seconds since the current stage began."""
        return time.perf_counter() - self._since

    def record(self, part: str, seconds: float) -> None:
        """A part timed on its own (`lines` of `write`, `archive` beside it)."""
        self.extra[part] = seconds


def _calculate(run: CalcRun, *, progress: Callable[[int, str], None]) -> None:
    period = run.period
    watch = _Stopwatch()
    watch.next("plans")
    progress(5, "reading plans")
    versions = plan_versions_for(period)
    if not versions:
        raise NothingToRun(f"No published plan is assigned to anyone in {period.key}.")
    loaded = load_versions(versions)
    watch.next("read")
    progress(10, "reading inputs")
    tables = build_inputs(period=period, run_id=run.pk)
    watch.next("engine")
    progress(40, "calculating")
    result = run_engine(loaded, tables, period=period)
    watch.next("write")
    progress(70, "archiving and writing results")
    plan_versions = [
        {"code": v.plan.code, "version": v.number, "fingerprint": v.fingerprint} for v in versions
    ]
    counts = {name: table.num_rows for name, table in tables.items()}
    # The archive (Parquet files, written by Arrow without the GIL) is written in a thread
    # while the lines go to the database, which mostly waits on the database server (or, on
    # SQLite, on its own inserts): the two overlap (docs/performance.md, "App runs"). Leaving
    # the pool waits for the thread, so a failed run's archive is deleted after it (`_fail`).
    with ThreadPoolExecutor(max_workers=1) as pool:
        archiving = pool.submit(
            _timed,
            partial(
                archive.write_archive,
                run_id=run.pk,
                inputs=tables,
                outputs=result.tables,
                plans={v.plan.code: v.text for v in versions},
                manifest={
                    "run_id": run.pk,
                    "period": period.key,
                    "fingerprint": result.fingerprint,
                    "engine_version": result.engine_version,
                    "plans": plan_versions,
                },
            ),
        )
        with transaction.atomic():
            write_lines(run_id=run.pk, period_key=period.key, tables=result.tables)
            watch.record("lines", watch.elapsed())
            # the archive's error, if any, fails the run: all or nothing
            watch.record("archive", archiving.result())
            updated = CalcRun.objects.filter(pk=run.pk, status=CalcRun.Status.RUNNING).update(
                status=CalcRun.Status.SUCCEEDED,
                finished_at=timezone.now(),
                progress=100,
                progress_note="done",
                fingerprint=result.fingerprint,
                engine_version=result.engine_version,
                plan_versions=plan_versions,
                input_counts=counts,
            )
            if not updated:
                raise RunFailed("The run was marked failed while it was writing its results.")
    watch.next("")
    seconds = {**watch.seconds, **watch.extra}
    log.info(
        "run %s of %s: %s",
        run.pk,
        period.key,
        ", ".join(f"{stage} {s:.2f} s" for stage, s in seconds.items()),
        extra={"stage_seconds": seconds},
    )


def plan_versions_for(period: Period) -> list[PlanVersion]:
    """For each plan assigned in the period, the published version in force at its end."""
    start, end = period.start_on, period.end_on + timedelta(days=1)
    codes = {a.plan_code for a in plan_selectors.resolve_assignments(start=start, end=end)}
    found = (plan_selectors.published_version_on(plan_code=c, on=period.end_on) for c in codes)
    return sorted((v for v in found if v is not None), key=lambda v: v.plan.code)


def build_inputs(*, period: Period, run_id: int | None = None) -> dict[str, pa.Table]:
    """Every input table of a run of `period`, from the database."""
    start, end = period.start_on, period.end_on + timedelta(days=1)
    year_start = org_selectors.get_period(key=str(period.fiscal_year)).start_on
    window_start = min(start, year_start)
    transactions = run_inputs.transactions(start=window_start, end=end)
    assignments = plan_selectors.resolve_assignments(start=year_start, end=end)
    return {
        "transactions": transactions,
        "splits": run_inputs.splits(start=window_start, end=end),
        "payees": run_inputs.payees(),
        "hierarchy": run_inputs.hierarchy(),
        "territory_assignments": run_inputs.territory_assignments(),
        "quotas": run_inputs.quotas(fiscal_year=period.fiscal_year),
        "fx_rates": run_inputs.fx_rates(),
        "plan_assignments": run_inputs.plan_assignments(assignments),
        "prior_payouts": prior_payouts(period=period, year_start=year_start),
    }


def prior_payouts(*, period: Period, year_start: date) -> pa.Table:
    """What the published runs of earlier periods of this fiscal year paid, for true-ups."""
    rows = list(
        PayoutLine.objects.filter(
            run__approval=CalcRun.Approval.APPROVED,
            run__period__start_on__gte=year_start,
            run__period__end_on__lt=period.start_on,
            plan_amount__isnull=False,  # rounding lines are in the payee's currency only
        )
        .order_by("person__external_id", "plan_code", "period_key", "component_id")
        .values_list(
            "person__external_id",
            "plan_code",
            "period_key",
            run_inputs._text("plan_amount"),
            "component_id",
        )
    )
    return run_inputs._table(rows, ["payee_id", "plan_id", "period_id", "amount", "component_id"])


def reproduce_run(*, run_id: int) -> bool:
    """Re-run the engine on the run's archived inputs and plans; True when the fingerprint and
    every output table are identical."""
    run = CalcRun.objects.select_related("period").filter(pk=run_id).first()
    if run is None or run.status != CalcRun.Status.SUCCEEDED:
        raise NotFound("No such finished run.")
    plans = [
        engine.load_plan_text(text, file=f"{code}.yaml")
        for code, text in archive.read_plans(run_id).items()
    ]
    result = run_engine(plans, archive.read_inputs(run_id), period=run.period)
    if result.fingerprint != run.fingerprint:
        return False
    return all(
        result.tables[name].equals(archive.read_output(run_id, name)) for name in result.tables
    )


def _progress(run_id: int, percent: int, note: str) -> None:
    CalcRun.objects.filter(pk=run_id).update(
        progress=percent, progress_note=note, heartbeat_at=timezone.now()
    )


def _fail(run_id: int, message: str) -> None:
    CalcRun.objects.filter(pk=run_id, status=CalcRun.Status.RUNNING).update(
        status=CalcRun.Status.FAILED, finished_at=timezone.now(), error=message[:5000]
    )
    archive.delete_archive(run_id)


def _timed(work: Callable[[], object]) -> float:
    """Seconds `work` took."""
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


class _Heartbeat:
    """Stamps `heartbeat_at` every few seconds from a thread while the engine works."""

    def __init__(self, run_id: int) -> None:
        self.run_id = run_id
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=HEARTBEAT_SECONDS * 2)

    def _loop(self) -> None:
        try:
            while not self._stop.wait(HEARTBEAT_SECONDS):
                CalcRun.objects.filter(pk=self.run_id, status=CalcRun.Status.RUNNING).update(
                    heartbeat_at=timezone.now()
                )
        finally:
            close_old_connections()
            connection.close()
