"""`openspm runs start|list|schedule`."""

from __future__ import annotations

from datetime import UTC, datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from openspm.comp.models import CalcRun, CalcSchedule
from openspm.comp.services import calc
from openspm.org.selectors import today
from openspm.org.services import ensure_fiscal_year
from tests.comp.factories import glossary_quarter, publish_ae_plan
from tests.factories import World


def runs(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("runs", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.django_db
class TestRunsStart:
    def test_wait_executes_here_and_prints_a_summary(self, world: World) -> None:
        publish_ae_plan(world)
        glossary_quarter(world)
        out, err = runs("start", "2026-Q1", "--wait")
        run = CalcRun.objects.get()
        assert (run.status, run.trigger, run.requested_by) == (
            "succeeded",
            "cli",
            world.users["admin"],
        )
        assert f"Run {run.pk} of 2026-Q1: executing here." in err
        assert "100 % done" in err
        assert f"Run {run.pk} of 2026-Q1: succeeded" in out
        assert f"fingerprint {run.fingerprint}" in out
        assert "plans: ae v1" in out
        assert "payouts USD: 18,500.00 to 2 payee(s)" in out

    def test_wait_exits_non_zero_when_the_run_fails(self, world: World) -> None:
        ensure_fiscal_year(fiscal_year=2026)
        with pytest.raises(CommandError, match="failed: No published plan"):
            runs("start", "2026-Q1", "--wait")
        assert CalcRun.objects.get().status == "failed"

    def test_without_wait_queues_for_the_worker(self, world: World) -> None:
        ensure_fiscal_year(fiscal_year=2026)
        out, _ = runs("start", "2026-Q1", "--as", "compadmin")
        run = CalcRun.objects.get()
        assert out.strip() == f"Run {run.pk} of 2026-Q1 is queued."
        assert (run.status, run.requested_by) == ("queued", world.users["compadmin"])

    def test_a_second_run_is_refused_with_the_reason(self, world: World) -> None:
        ensure_fiscal_year(fiscal_year=2026)
        active = calc.request_run(actor=world.users["compadmin"], period_key="2026-Q1")
        with pytest.raises(CommandError, match=f"Run {active.pk} of 2026-Q1 is queued"):
            runs("start", "2026-Q1")
        assert CalcRun.objects.count() == 1

    def test_finance_may_not_start_runs(self, world: World) -> None:
        ensure_fiscal_year(fiscal_year=2026)
        with pytest.raises(CommandError, match="Only administrators and comp admins"):
            runs("start", "2026-Q1", "--as", "finance")
        assert not CalcRun.objects.exists()


@pytest.mark.django_db
class TestRunsList:
    def test_lists_runs(self, world: World) -> None:
        ensure_fiscal_year(fiscal_year=2026)
        q1 = calc.request_run(actor=world.users["compadmin"], period_key="2026-Q1")
        q2 = calc.request_run(actor=world.users["compadmin"], period_key="2026-Q2")
        out, _ = runs("list")
        lines = out.splitlines()
        assert lines[0].split() == ["RUN", "PERIOD", "STATUS", "APPROVAL", "FINGERPRINT"]
        assert [line.split()[:3] for line in lines[1:]] == [
            [str(q2.pk), "2026-Q2", "queued"],
            [str(q1.pk), "2026-Q1", "queued"],
        ]
        only_q1, _ = runs("list", "--period", "2026-Q1", "--json")
        assert '"period": "2026-Q1"' in only_q1
        assert "2026-Q2" not in only_q1

    def test_no_runs(self, world: World) -> None:
        assert runs("list")[0].strip() == "No runs."


@pytest.mark.django_db
class TestRunsSchedule:
    def test_requests_due_runs_once_a_day(self, world: World) -> None:
        on = today()
        ensure_fiscal_year(fiscal_year=on.year)
        CalcSchedule.objects.create(name="nightly", period_kind="quarter", hour=0)
        out, _ = runs("schedule")
        run = CalcRun.objects.get()
        assert run.trigger == "schedule"
        assert run.period.start_on <= on <= run.period.end_on
        assert out.strip() == f"nightly: {run.period.key}: run {run.pk} requested"
        again, _ = runs("schedule")
        assert again.strip() == "No schedule is due."
        assert CalcRun.objects.count() == 1

    def test_nothing_due(self, world: World) -> None:
        CalcSchedule.objects.create(name="later", hour=23, last_run_on=datetime.now(UTC).date())
        assert runs("schedule")[0].strip() == "No schedule is due."
        assert not CalcRun.objects.exists()


class TestRunsDocumented:
    def test_help_and_readme(self) -> None:
        from pathlib import Path

        from django.core.management import get_commands, load_command_class

        command = load_command_class(get_commands()["runs"], "runs")
        help_text = command.create_parser("openspm", "runs").format_help()
        assert help_text.startswith("usage: openspm runs")
        readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
        for usage in ("start PERIOD [--wait]", "list", "schedule"):
            assert f"`openspm runs {usage}" in readme
