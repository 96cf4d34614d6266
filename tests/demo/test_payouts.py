"""`openspm demo` pays the last eight quarters: runs approved in steps, quarters closed,
disputes in every state and adjustments, all made through the services by the demo logins."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import override_settings

from openspm.comp import archive
from openspm.comp.models import (
    APPROVAL_STEPS,
    Adjustment,
    CalcRun,
    Dispute,
    DisputeComment,
    PayoutLine,
    RunApproval,
    StatementAcknowledgement,
)
from openspm.comp.selectors import statements as statement_selectors
from openspm.core.models import User
from openspm.demo import services as demo_services
from openspm.demo.generate.disputes import BONUS, DISPUTE_ADJUSTMENT, RECOVERY
from openspm.org.models import Period, Person
from tests.demo.conftest import AS_OF, FAST_HASHER, delete_demo_company, snapshot_kept

QUARTERS = [f"{year}-Q{n}" for year in (2025, 2026) for n in (1, 2, 3, 4)]
ARGS = ("--scale", "0.01", "--as-of", AS_OF.isoformat())


def run_demo(*args: str) -> str:
    out = StringIO()
    with override_settings(PASSWORD_HASHERS=[FAST_HASHER]):
        call_command("demo", *ARGS, *args, stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def archives(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("demo-runs")


@pytest.fixture(scope="module")
def output(django_db_setup: None, django_db_blocker: Any, archives: Path) -> Iterator[str]:
    """One small paid demo company, committed, shared by this module's read-only tests; then
    deleted with everything it created (its run archives in a directory of its own; the jobs
    its services queued and the referral submissions' rate counters included)."""
    with django_db_blocker.unblock(), override_settings(RUN_ARCHIVE_DIR=archives):
        assert not demo_services.existing_data(), "the test database should be empty"
        before = snapshot_kept()
        text = run_demo()
    yield text
    with django_db_blocker.unblock(), override_settings(RUN_ARCHIVE_DIR=archives):
        delete_demo_company(before)


def published(period_key: str) -> CalcRun:
    return CalcRun.objects.get(period__key=period_key, approval=CalcRun.Approval.APPROVED)


@pytest.mark.django_db
class TestQuarters:
    def test_each_of_the_last_eight_quarters_has_one_published_run(self, output: str) -> None:
        runs = CalcRun.objects.order_by("period__start_on")
        assert [r.period.key for r in runs] == QUARTERS
        assert {(r.status, r.approval, r.trigger) for r in runs} == {
            (CalcRun.Status.SUCCEEDED, CalcRun.Approval.APPROVED, "demo")
        }
        assert all(r.fingerprint and r.published_at for r in runs)
        assert all(PayoutLine.objects.filter(run=r).exists() for r in runs)
        for key in QUARTERS:
            assert f"payouts {key}" in output

    def test_every_run_was_approved_in_steps_by_the_comp_admin_then_finance(
        self, output: str
    ) -> None:
        steps = sorted(
            RunApproval.objects.values_list("run__period__key", "step", "role", "actor__username")
        )
        assert steps == [
            (key, step, role, {"comp_admin": "compadmin", "finance": "finance"}[role])
            for key in QUARTERS
            for step, (role, _) in enumerate(APPROVAL_STEPS)
        ]
        assert set(RunApproval.objects.values_list("decision", flat=True)) == {"approved"}

    def test_the_older_quarters_are_closed_by_finance_and_the_current_one_is_open(
        self, output: str
    ) -> None:
        quarters = Period.objects.filter(key__in=QUARTERS).order_by("start_on")
        assert [q.status for q in quarters] == ["closed"] * 7 + ["open"]
        assert {q.closed_by.username for q in quarters[:7]} == {"finance"}

    def test_each_run_keeps_its_archive(self, output: str, archives: Path) -> None:
        with override_settings(RUN_ARCHIVE_DIR=archives):
            assert all(archive.run_dir(r.pk).is_dir() for r in CalcRun.objects.all())

    def test_the_rep_sees_a_published_statement_for_each_quarter(self, output: str) -> None:
        rep = User.objects.get(username="rep")
        person = Person.objects.get(user=rep)
        for key in QUARTERS:
            statement = statement_selectors.get_statement(
                viewer=rep, person_id=person.pk, period_key=key
            )
            assert statement.run == published(key)
            assert not statement.is_preliminary
            assert statement.payout_totals, key

    def test_the_rep_acknowledged_the_closed_quarters(self, output: str) -> None:
        keys = StatementAcknowledgement.objects.filter(person__user__username="rep").values_list(
            "run__period__key", flat=True
        )
        assert sorted(keys) == QUARTERS[:7]


@pytest.mark.django_db
class TestDisputes:
    def test_the_rep_opened_four_in_every_state(self, output: str) -> None:
        disputes = Dispute.objects.order_by("pk")
        assert [d.status for d in disputes] == ["open", "in_review", "resolved", "rejected"]
        assert {d.opened_by.username for d in disputes} == {"rep"}
        assert {d.person.user.username for d in disputes} == {"rep"}
        assert all(d.earning_line_id and d.trace for d in disputes)
        assert [d.period.key for d in disputes[:2]] == [QUARTERS[-1]] * 2
        assert disputes[0].assignee is None
        assert {d.assignee.username for d in disputes[1:]} == {"compadmin"}

    def test_they_have_comments_from_the_rep_the_manager_and_the_comp_admin(
        self, output: str
    ) -> None:
        comments = set(
            DisputeComment.objects.values_list("dispute__status", "author__username", "is_internal")
        )
        assert comments == {
            ("open", "manager", False),
            ("in_review", "compadmin", False),
            ("in_review", "compadmin", True),
            ("resolved", "rep", False),
        }

    def test_the_resolved_one_paid_an_adjustment_finance_approved(self, output: str) -> None:
        resolved = Dispute.objects.get(status=Dispute.Status.RESOLVED)
        adjustment = resolved.adjustment
        assert adjustment is not None
        assert adjustment.amount == DISPUTE_ADJUSTMENT == Decimal("350.00")
        assert adjustment.source == Adjustment.Source.DISPUTE
        assert adjustment.status == Adjustment.Status.APPROVED
        assert (adjustment.created_by.username, adjustment.decided_by.username) == (
            "compadmin",
            "finance",
        )
        assert adjustment.origin_period == resolved.period

    def test_the_rejected_one_says_why_and_pays_nothing(self, output: str) -> None:
        rejected = Dispute.objects.get(status=Dispute.Status.REJECTED)
        assert rejected.adjustment is None
        assert "correct" in rejected.resolution


@pytest.mark.django_db
class TestAdjustments:
    def test_a_bonus_approved_and_a_recovery_pending_in_the_current_quarter(
        self, output: str
    ) -> None:
        manual = Adjustment.objects.filter(source=Adjustment.Source.MANUAL).order_by("pk")
        assert [(a.amount, a.status, a.period.key) for a in manual] == [
            (BONUS, Adjustment.Status.APPROVED, QUARTERS[-1]),
            (RECOVERY, Adjustment.Status.PENDING, QUARTERS[-1]),
        ]
        assert {a.created_by.username for a in manual} == {"compadmin"}
        assert manual[0].decided_by.username == "finance"
        assert manual[0].person.user.username == "rep"
        assert manual[1].person.user is None or manual[1].person.user.username != "rep"


@pytest.mark.django_db
class TestAgain:
    def test_if_empty_leaves_a_paid_demo_as_it_is(self, output: str) -> None:
        runs = list(CalcRun.objects.order_by("pk").values_list("pk", flat=True))
        text = run_demo("--if-empty")
        assert "leaving it as it is" in text
        assert "calc runs" in text  # named among the data present
        assert list(CalcRun.objects.order_by("pk").values_list("pk", flat=True)) == runs
