"""The worker fires due calc schedules itself (no cron), and a schedule fires once however many
workers tick at the same time: each claims it with a conditional UPDATE in the database."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from openspm.comp.models import CalcRun, CalcSchedule
from openspm.comp.services import schedule
from openspm.core.models import User
from openspm.org.services import ensure_fiscal_year
from tests.factories import World

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 5, 12, 3, 30, tzinfo=UTC)


def _nightly(hour: int = 2) -> CalcSchedule:
    return CalcSchedule.objects.create(name="nightly", period_kind="quarter", hour=hour)


@pytest.mark.django_db
class TestFireDueSchedules:
    def test_runs_as_the_first_administrator(self, world: World) -> None:
        ensure_fiscal_year(fiscal_year=2026)
        _nightly()
        [outcome] = schedule.fire_due_schedules(now=NOW)
        run = CalcRun.objects.get()
        assert (outcome.run_id, run.trigger, run.requested_by) == (
            run.pk,
            "schedule",
            world.users["admin"],
        )

    def test_without_an_administrator_nothing_fires(self, db: None) -> None:
        ensure_fiscal_year(fiscal_year=2026)
        _nightly()
        assert schedule.scheduler_actor() is None
        assert schedule.fire_due_schedules(now=NOW) == []
        assert not CalcRun.objects.exists()
        assert CalcSchedule.objects.get().last_run_on is None

    def test_a_schedule_claimed_meanwhile_is_skipped(self, world: World) -> None:
        """The claim is re-checked in the database: a stale read does not fire twice."""
        ensure_fiscal_year(fiscal_year=2026)
        nightly = _nightly()
        stale = CalcSchedule.objects.get(pk=nightly.pk)
        assert schedule.fire_due_schedules(now=NOW) != []
        assert schedule._fire(stale, actor=world.users["admin"], today=NOW.date()) is None
        assert CalcRun.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_ticks_fire_one_run(world: World) -> None:
    ensure_fiscal_year(fiscal_year=2026)
    _nightly()
    start = threading.Barrier(2)
    outcomes: list[list[schedule.ScheduleOutcome]] = []
    errors: list[BaseException] = []

    def tick() -> None:
        try:
            start.wait(timeout=10)
            outcomes.append(schedule.fire_due_schedules(now=NOW))
        except BaseException as error:  # reported below, in the test's thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=tick) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sorted(len(o) for o in outcomes) == [0, 1]
    assert CalcRun.objects.filter(trigger="schedule").count() == 1


def _database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_two_workers_fire_a_due_schedule_once_and_run_it(
    world: World, tmp_path: Path, settings: pytest.FixtureRequest
) -> None:
    """Two real `openspm worker --batch` processes start together; the schedule due now
    (hour 0 UTC) is requested once and executed by one of them."""
    settings.RUN_ARCHIVE_DIR = tmp_path / "data" / "runs"  # type: ignore[attr-defined]
    today = timezone.now().astimezone(UTC).date()
    ensure_fiscal_year(fiscal_year=today.year)
    _nightly(hour=0)
    env = {
        **os.environ,  # noqa: TID251 - the child's settings
        "DATABASE_URL": _database_url(),
        "DJANGO_SETTINGS_MODULE": "openspm.settings",
        "OPENSPM_DATA_DIR": str(tmp_path / "data"),
    }
    command = [sys.executable, "-m", "openspm", "worker", "--batch"]
    workers = [
        subprocess.Popen(command, env=env, cwd=ROOT, stderr=subprocess.PIPE) for _ in range(2)
    ]
    for worker in workers:
        _, stderr = worker.communicate(timeout=120)
        assert worker.returncode == 0, stderr.decode()
    run = CalcRun.objects.get()
    assert run.trigger == "schedule"
    assert run.requested_by == User.objects.get(username="admin")
    assert run.status in (CalcRun.Status.SUCCEEDED, CalcRun.Status.FAILED)
    assert run.finished_at is not None
    assert CalcSchedule.objects.get().last_run_on == today
