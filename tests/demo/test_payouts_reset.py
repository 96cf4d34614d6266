"""`openspm demo --reset` over a paid demo: runs, archives, disputes and adjustments go, the
closed quarters reopen, and the quarters are paid again. Early in a fiscal year, the data
reaches back three fiscal years, so the last eight quarters are still all paid."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django_tasks_db.models import DBTaskResult

from openspm.comp import archive
from openspm.comp.models import Adjustment, CalcRun, Dispute
from openspm.org.models import Period
from openspm.referrals.models import Program, RateCounter
from openspm.sales.models import Transaction
from tests.demo.conftest import Generate
from tests.demo.test_payouts import QUARTERS, run_demo


@pytest.mark.django_db
def test_reset_replaces_a_paid_demo_with_a_new_one() -> None:
    run_demo()
    old_runs = list(CalcRun.objects.values_list("pk", flat=True))
    run_demo("--reset")
    assert not CalcRun.objects.filter(pk__in=old_runs).exists()
    assert not any(archive.run_dir(pk).exists() for pk in old_runs)
    assert CalcRun.objects.filter(approval=CalcRun.Approval.APPROVED).count() == 8
    assert Period.objects.filter(key__in=QUARTERS, status="closed").count() == 7
    assert Dispute.objects.count() == 4
    assert Adjustment.objects.filter(source=Adjustment.Source.MANUAL).count() == 2
    for pk in CalcRun.objects.values_list("pk", flat=True):
        archive.delete_archive(pk)


@pytest.mark.django_db
def test_reset_leaves_no_job_for_the_rows_it_deleted(
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):  # the services queue on commit
        run_demo()
    old_runs = set(CalcRun.objects.values_list("pk", flat=True))
    counters = set(RateCounter.objects.values_list("pk", flat=True))
    assert DBTaskResult.objects.filter(task_path__endswith=".execute_calc_run").exists()
    with django_capture_on_commit_callbacks(execute=True):
        run_demo("--reset")
    queued_runs = {
        job.args_kwargs["kwargs"]["run_id"]
        for job in DBTaskResult.objects.filter(task_path__endswith=".execute_calc_run")
    }
    assert queued_runs
    assert not queued_runs & old_runs
    assert not RateCounter.objects.filter(pk__in=counters).exists()
    programs = set(Program.objects.values_list("pk", flat=True))
    for job in DBTaskResult.objects.filter(task_path__endswith=".compute_referral_rewards"):
        assert set(job.args_kwargs["args"]) <= programs
    for pk in CalcRun.objects.values_list("pk", flat=True):
        archive.delete_archive(pk)


def test_early_in_a_fiscal_year_the_last_eight_quarters_reach_back_three_years(
    generate: Generate,
) -> None:
    generate(as_of=date(2026, 5, 15), pay=True)
    runs = CalcRun.objects.filter(approval=CalcRun.Approval.APPROVED).order_by("period__start_on")
    assert [r.period.key for r in runs] == [
        "2024-Q3", "2024-Q4", "2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4", "2026-Q1", "2026-Q2",
    ]  # fmt: skip
    assert [r.period.status for r in runs] == ["closed"] * 7 + ["open"]
    booked = Transaction.objects.values_list("booked_on", flat=True)
    assert min(booked) >= date(2024, 1, 1)
    assert max(booked) <= date(2026, 5, 15)
    assert Transaction.objects.filter(booked_on__range=(date(2024, 7, 1), date(2024, 9, 30)))
    assert Dispute.objects.count() == 4
    for pk in CalcRun.objects.values_list("pk", flat=True):
        archive.delete_archive(pk)
