from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from openspm.comp.models import CalcRun, CalcSchedule
from openspm.comp.services import calc
from openspm.comp.services.schedule import retry_run, run_due_schedules
from openspm.core.errors import InvalidInput, NotFound, PermissionDenied
from openspm.org.models import Period
from openspm.org.services import ensure_fiscal_year
from tests.factories import World

# 2026-05-12 at 03:30 UTC: inside 2026-Q2 and 2026-M05.
NOW = datetime(2026, 5, 12, 3, 30, tzinfo=UTC)


def failed_run(world: World, period: str = "2026-Q1") -> CalcRun:
    """A run that failed: there is no plan to run."""
    run = calc.request_run(actor=world.users["compadmin"], period_key=period)
    run = calc.execute_run(run_id=run.pk)
    assert run.status == "failed"
    return run


@pytest.mark.django_db
class TestRetryRun:
    def test_queues_a_new_run_of_the_same_period(self, world: World) -> None:
        ensure_fiscal_year(fiscal_year=2026)
        failed = failed_run(world)
        retried = retry_run(actor=world.users["admin"], run_id=failed.pk, trigger="api")
        assert (retried.period_id, retried.status, retried.trigger) == (
            failed.period_id,
            "queued",
            "api",
        )
        assert retried.requested_by == world.users["admin"]
        assert CalcRun.objects.get(pk=failed.pk).status == "failed"

    def test_only_a_failed_run_can_be_retried(self, world: World) -> None:
        ensure_fiscal_year(fiscal_year=2026)
        queued = calc.request_run(actor=world.users["compadmin"], period_key="2026-Q1")
        with pytest.raises(InvalidInput, match="only a failed run"):
            retry_run(actor=world.users["compadmin"], run_id=queued.pk)
        assert CalcRun.objects.count() == 1

    def test_finance_sees_runs_but_may_not_start_them(self, world: World) -> None:
        ensure_fiscal_year(fiscal_year=2026)
        failed = failed_run(world)
        with pytest.raises(PermissionDenied):
            retry_run(actor=world.users["finance"], run_id=failed.pk)
        assert CalcRun.objects.count() == 1

    @pytest.mark.parametrize("role", ["rep1", "manager1", "partner"])
    def test_roles_that_do_not_see_runs_get_not_found(self, world: World, role: str) -> None:
        ensure_fiscal_year(fiscal_year=2026)
        failed = failed_run(world)
        with pytest.raises(NotFound):
            retry_run(actor=world.users[role], run_id=failed.pk)
        assert CalcRun.objects.count() == 1


@pytest.mark.django_db
class TestRunDueSchedules:
    @pytest.fixture(autouse=True)
    def _calendar(self, db: None) -> None:
        ensure_fiscal_year(fiscal_year=2026)

    def _schedule(self, **fields: object) -> CalcSchedule:
        return CalcSchedule.objects.create(
            **({"name": "nightly", "period_kind": "quarter", "hour": 2} | fields)
        )

    def test_requests_a_run_of_the_open_period_containing_today(self, world: World) -> None:
        nightly = self._schedule()
        [outcome] = run_due_schedules(actor=world.users["admin"], now=NOW)
        run = CalcRun.objects.get()
        assert (run.period.key, run.trigger, run.status) == ("2026-Q2", "schedule", "queued")
        assert (outcome.schedule, outcome.period_key, outcome.run_id) == (
            "nightly",
            "2026-Q2",
            run.pk,
        )
        nightly.refresh_from_db()
        assert nightly.last_run_on == date(2026, 5, 12)

    def test_is_idempotent_within_a_day(self, world: World) -> None:
        self._schedule()
        run_due_schedules(actor=world.users["admin"], now=NOW)
        assert run_due_schedules(actor=world.users["admin"], now=NOW.replace(hour=9)) == []
        assert CalcRun.objects.count() == 1

    def test_runs_again_the_next_day(self, world: World) -> None:
        self._schedule()
        first = run_due_schedules(actor=world.users["admin"], now=NOW)[0]
        calc.execute_run(run_id=first.run_id or 0)  # fails (no plan) but is no longer active
        second = run_due_schedules(actor=world.users["admin"], now=NOW.replace(day=13))
        assert [o.period_key for o in second] == ["2026-Q2"]
        assert CalcRun.objects.count() == 2

    def test_waits_for_its_hour(self, world: World) -> None:
        self._schedule(hour=4)
        assert run_due_schedules(actor=world.users["admin"], now=NOW) == []
        assert not CalcRun.objects.exists()
        assert len(run_due_schedules(actor=world.users["admin"], now=NOW.replace(hour=4))) == 1

    def test_inactive_schedules_do_nothing(self, world: World) -> None:
        self._schedule(is_active=False)
        assert run_due_schedules(actor=world.users["admin"], now=NOW) == []
        assert not CalcRun.objects.exists()

    def test_each_schedule_runs_its_kind_of_period(self, world: World) -> None:
        self._schedule(name="monthly", period_kind="month")
        self._schedule(name="quarterly", period_kind="quarter")
        outcomes = run_due_schedules(actor=world.users["admin"], now=NOW)
        assert [(o.schedule, o.period_key) for o in outcomes] == [
            ("monthly", "2026-M05"),
            ("quarterly", "2026-Q2"),
        ]
        assert CalcRun.objects.count() == 2

    def test_a_closed_period_is_not_run(self, world: World) -> None:
        self._schedule()
        Period.objects.filter(key="2026-Q2").update(status=Period.Status.CLOSED)
        [outcome] = run_due_schedules(actor=world.users["admin"], now=NOW)
        assert outcome.run_id is None
        assert "no open quarter" in outcome.note
        assert not CalcRun.objects.exists()

    def test_an_active_run_counts_as_todays_run(self, world: World) -> None:
        nightly = self._schedule()
        active = calc.request_run(actor=world.users["compadmin"], period_key="2026-Q2")
        [outcome] = run_due_schedules(actor=world.users["admin"], now=NOW)
        assert outcome.run_id is None
        assert f"Run {active.pk}" in outcome.note
        assert CalcRun.objects.count() == 1
        nightly.refresh_from_db()
        assert nightly.last_run_on == date(2026, 5, 12)

    def test_needs_an_editor(self, world: World) -> None:
        self._schedule()
        with pytest.raises(PermissionDenied):
            run_due_schedules(actor=world.users["finance"], now=NOW)
        assert not CalcRun.objects.exists()
