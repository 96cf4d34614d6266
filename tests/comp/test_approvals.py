from __future__ import annotations

import pytest

from openspm.comp.models import CalcRun, RunApproval
from openspm.comp.services import approvals
from openspm.comp.services.adjustments import PeriodClosed
from openspm.core.errors import InvalidInput, PermissionDenied
from openspm.org.models import Period
from openspm.plans.errors import ApprovalRefused
from tests.comp.test_approvals_factories import make_run, period, publish
from tests.factories import World


@pytest.fixture
def run(world: World) -> CalcRun:
    return make_run(period("2026-Q1"))


@pytest.mark.django_db
class TestSubmitRun:
    def test_a_succeeded_run_waits_for_approval(self, world: World, run: CalcRun) -> None:
        submitted = approvals.submit_run(actor=world.users["compadmin"], run_id=run.pk)
        assert submitted.approval == "pending"
        assert approvals.next_step(submitted) == 0

    def test_only_finished_runs(self, world: World) -> None:
        failed = make_run(period("2026-Q1"), status=CalcRun.Status.FAILED)
        with pytest.raises(ApprovalRefused, match="not succeeded"):
            approvals.submit_run(actor=world.users["compadmin"], run_id=failed.pk)
        assert CalcRun.objects.get(pk=failed.pk).approval == "none"

    @pytest.mark.parametrize("role", ["finance", "manager1", "rep1", "partner"])
    def test_only_editors_submit(self, world: World, run: CalcRun, role: str) -> None:
        with pytest.raises(PermissionDenied):
            approvals.submit_run(actor=world.users[role], run_id=run.pk)
        assert CalcRun.objects.get(pk=run.pk).approval == "none"

    def test_one_run_per_period_waits_at_a_time(self, world: World, run: CalcRun) -> None:
        approvals.submit_run(actor=world.users["compadmin"], run_id=run.pk)
        second = make_run(run.period)
        with pytest.raises(ApprovalRefused, match=f"Run {run.pk} of 2026-Q1"):
            approvals.submit_run(actor=world.users["compadmin"], run_id=second.pk)

    def test_twice_is_refused(self, world: World, run: CalcRun) -> None:
        approvals.submit_run(actor=world.users["compadmin"], run_id=run.pk)
        with pytest.raises(ApprovalRefused, match="already submitted"):
            approvals.submit_run(actor=world.users["admin"], run_id=run.pk)

    def test_closed_period_refused(self, world: World, run: CalcRun) -> None:
        Period.objects.filter(pk=run.period_id).update(status=Period.Status.CLOSED)
        with pytest.raises(PeriodClosed):
            approvals.submit_run(actor=world.users["compadmin"], run_id=run.pk)


@pytest.mark.django_db
class TestApproveRun:
    def test_two_steps_publish_the_run(self, world: World, run: CalcRun) -> None:
        approvals.submit_run(actor=world.users["compadmin"], run_id=run.pk)
        first = approvals.approve_run(
            actor=world.users["compadmin"], run_id=run.pk, comment="Totals match the forecast"
        )
        assert first.approval == "pending"
        assert first.published_at is None
        assert approvals.next_step(first) == 1
        published = approvals.approve_run(actor=world.users["finance"], run_id=run.pk)
        assert published.approval == "approved"
        assert published.published_at is not None
        steps = list(
            RunApproval.objects.filter(run=run).values_list(
                "step", "role", "actor__username", "decision", "comment"
            )
        )
        assert steps == [
            (0, "comp_admin", "compadmin", "approved", "Totals match the forecast"),
            (1, "finance", "finance", "approved", ""),
        ]
        assert approvals.next_step(published) is None

    def test_each_step_needs_its_role(self, world: World, run: CalcRun) -> None:
        approvals.submit_run(actor=world.users["compadmin"], run_id=run.pk)
        with pytest.raises(PermissionDenied, match="Comp admin review"):
            approvals.approve_run(actor=world.users["finance"], run_id=run.pk)
        approvals.approve_run(actor=world.users["compadmin"], run_id=run.pk)
        with pytest.raises(PermissionDenied, match="Finance approval"):
            approvals.approve_run(actor=world.users["compadmin"], run_id=run.pk)
        for role in ("manager1", "rep1", "partner"):
            with pytest.raises(PermissionDenied):
                approvals.approve_run(actor=world.users[role], run_id=run.pk)
        assert RunApproval.objects.filter(run=run).count() == 1

    def test_an_administrator_may_act_for_a_step_but_not_both(
        self, world: World, run: CalcRun
    ) -> None:
        approvals.submit_run(actor=world.users["compadmin"], run_id=run.pk)
        approvals.approve_run(actor=world.users["admin"], run_id=run.pk)
        with pytest.raises(ApprovalRefused, match="someone else"):
            approvals.approve_run(actor=world.users["admin"], run_id=run.pk)
        assert CalcRun.objects.get(pk=run.pk).approval == "pending"
        approvals.approve_run(actor=world.users["finance"], run_id=run.pk)
        assert CalcRun.objects.get(pk=run.pk).approval == "approved"

    def test_not_submitted_is_refused(self, world: World, run: CalcRun) -> None:
        with pytest.raises(ApprovalRefused, match="not awaiting approval"):
            approvals.approve_run(actor=world.users["compadmin"], run_id=run.pk)
        assert not RunApproval.objects.exists()

    def test_publishing_supersedes_the_previous_published_run(self, world: World) -> None:
        first = publish(world, make_run(period("2026-Q1")))
        second = publish(world, make_run(first.period))
        first.refresh_from_db()
        assert (first.approval, second.approval) == ("superseded", "approved")
        assert CalcRun.objects.filter(period=first.period, approval="approved").get() == second

    def test_a_closed_period_is_not_published(self, world: World, run: CalcRun) -> None:
        approvals.submit_run(actor=world.users["compadmin"], run_id=run.pk)
        approvals.approve_run(actor=world.users["compadmin"], run_id=run.pk)
        Period.objects.filter(pk=run.period_id).update(status=Period.Status.CLOSED)
        with pytest.raises(PeriodClosed):
            approvals.approve_run(actor=world.users["finance"], run_id=run.pk)
        run.refresh_from_db()
        assert (run.approval, run.published_at) == ("pending", None)


@pytest.mark.django_db
class TestRejectRun:
    def test_a_rejection_ends_the_approval(self, world: World, run: CalcRun) -> None:
        approvals.submit_run(actor=world.users["compadmin"], run_id=run.pk)
        approvals.approve_run(actor=world.users["compadmin"], run_id=run.pk)
        rejected = approvals.reject_run(
            actor=world.users["finance"], run_id=run.pk, comment="Q1 FX rates were wrong"
        )
        assert rejected.approval == "rejected"
        step = RunApproval.objects.get(run=run, step=1)
        assert (step.decision, step.actor, step.comment) == (
            "rejected",
            world.users["finance"],
            "Q1 FX rates were wrong",
        )
        with pytest.raises(ApprovalRefused):
            approvals.approve_run(actor=world.users["finance"], run_id=run.pk)

    def test_a_rejection_needs_a_comment(self, world: World, run: CalcRun) -> None:
        approvals.submit_run(actor=world.users["compadmin"], run_id=run.pk)
        with pytest.raises(InvalidInput):
            approvals.reject_run(actor=world.users["compadmin"], run_id=run.pk, comment=" ")
        assert CalcRun.objects.get(pk=run.pk).approval == "pending"
        assert not RunApproval.objects.exists()

    def test_a_rejected_run_does_not_supersede_the_published_one(self, world: World) -> None:
        published = publish(world, make_run(period("2026-Q1")))
        other = make_run(published.period)
        approvals.submit_run(actor=world.users["compadmin"], run_id=other.pk)
        approvals.reject_run(actor=world.users["compadmin"], run_id=other.pk, comment="Wrong data")
        published.refresh_from_db()
        assert published.approval == "approved"
