from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from openspm.comp.models import Adjustment, CalcRun, PayoutLine
from openspm.comp.services import calc, close
from openspm.comp.services.adjustments import PeriodClosed, create_adjustment, decide_adjustment
from openspm.core.errors import PermissionDenied
from openspm.org.models import Period
from openspm.sales.models import Transaction
from tests.comp.factories import glossary_quarter, publish_ae_plan
from tests.comp.test_approvals_factories import add_payout, make_run, period, publish
from tests.factories import World, make_transaction


def _adjust(world: World, on: Period, amount: str = "250.00") -> Adjustment:
    return create_adjustment(
        actor=world.users["compadmin"],
        person=world.people["rep1"],
        period=on,
        amount=Decimal(amount),
        currency="USD",
        reason_code="missing_credit",
        description="Deal D9 was booked under the wrong owner",
    )


@pytest.mark.django_db
class TestClosePeriod:
    def test_finance_closes_a_published_period(self, world: World) -> None:
        run = publish(world, make_run(period("2026-Q1")))
        closed = close.close_period(actor=world.users["finance"], period_key="2026-Q1")
        assert closed.status == "closed"
        assert closed.closed_by == world.users["finance"]
        assert closed.closed_at is not None
        stored = Period.objects.get(key="2026-Q1")
        assert (stored.status, stored.closed_by_id) == ("closed", world.users["finance"].pk)
        run.refresh_from_db()
        assert run.approval == "approved"

    def test_administrators_close_too(self, world: World) -> None:
        publish(world, make_run(period("2026-Q1")))
        assert close.close_period(actor=world.users["admin"], period_key="2026-Q1").is_closed

    @pytest.mark.parametrize("role", ["compadmin", "manager1", "rep1", "partner"])
    def test_other_roles_may_not(self, world: World, role: str) -> None:
        publish(world, make_run(period("2026-Q1")))
        with pytest.raises(PermissionDenied):
            close.close_period(actor=world.users[role], period_key="2026-Q1")
        assert Period.objects.get(key="2026-Q1").status == "open"

    def test_needs_a_published_run(self, world: World) -> None:
        make_run(period("2026-Q1"))
        with pytest.raises(close.CloseRefused, match="no published run"):
            close.close_period(actor=world.users["finance"], period_key="2026-Q1")
        assert Period.objects.get(key="2026-Q1").status == "open"

    def test_needs_every_adjustment_decided(self, world: World) -> None:
        run = publish(world, make_run(period("2026-Q1")))
        adjustment = _adjust(world, run.period)
        with pytest.raises(close.CloseRefused, match="1 adjustment of 2026-Q1 is still pending"):
            close.close_period(actor=world.users["finance"], period_key="2026-Q1")
        decide_adjustment(actor=world.users["finance"], adjustment_id=adjustment.pk, approve=True)
        assert close.close_period(actor=world.users["finance"], period_key="2026-Q1").is_closed

    def test_closing_twice_is_refused(self, world: World) -> None:
        publish(world, make_run(period("2026-Q1")))
        close.close_period(actor=world.users["finance"], period_key="2026-Q1")
        with pytest.raises(PeriodClosed):
            close.close_period(actor=world.users["admin"], period_key="2026-Q1")

    def test_a_closed_period_takes_no_new_adjustment(self, world: World) -> None:
        publish(world, make_run(period("2026-Q1")))
        closed = close.close_period(actor=world.users["finance"], period_key="2026-Q1")
        with pytest.raises(PeriodClosed):
            _adjust(world, closed)
        assert not Adjustment.objects.exists()


@pytest.mark.django_db
class TestPostRetroAdjustments:
    """Recalculating a closed period posts only the differences, into the open period."""

    def test_end_to_end_with_the_engine(self, world: World) -> None:
        publish_ae_plan(world)
        glossary_quarter(world)
        first = calc.execute_run(
            run_id=calc.request_run(actor=world.users["compadmin"], period_key="2026-Q1").pk
        )
        published = publish(world, first)
        paid = {
            (line.person.external_id, line.component_id): line.amount
            for line in PayoutLine.objects.filter(run=published).select_related("person")
            if line.amount
        }
        assert paid == {
            ("REP1", "commission"): Decimal("16000.00"),
            ("REP2", "commission"): Decimal("2500.00"),
        }
        close.close_period(actor=world.users["finance"], period_key="2026-Q1")
        before = list(PayoutLine.objects.filter(run=published).order_by("pk").values())

        # After close: D2 is corrected from 100,000 to 90,000 (rep1: 200,000 × 5 % + 40,000 ×
        # 12 % = 14,800, was 16,000) and a late 30,000 deal of rep2's arrives (80,000 of a
        # 100,000 quota × 5 % = 4,000, was 2,500).
        Transaction.objects.filter(external_id="D2").update(amount=Decimal("90000"))
        make_transaction(
            owner=world.people["rep2"],
            amount=Decimal("30000"),
            booked_on=date(2026, 3, 20),
            external_id="D5",
        )
        recalculation = calc.execute_run(
            run_id=calc.request_run(actor=world.users["compadmin"], period_key="2026-Q1").pk
        )
        assert recalculation.status == "succeeded", recalculation.error
        assert close.recalculation_state(recalculation) == "ready"

        posted = close.post_retro_adjustments(
            actor=world.users["finance"], run_id=recalculation.pk, on=date(2026, 5, 10)
        )

        got = {(a.person.external_id, a.amount) for a in posted}
        assert got == {("REP1", Decimal("-1200.0000")), ("REP2", Decimal("1500.0000"))}
        for adjustment in posted:
            adjustment.refresh_from_db()
            assert adjustment.source == "retro"
            assert adjustment.reason_code == "prior_period"
            assert adjustment.status == "approved"
            assert adjustment.period.key == "2026-Q2"
            assert adjustment.origin_period == published.period
            assert adjustment.run == recalculation
            assert (adjustment.plan_code, adjustment.component_id) == ("ae", "commission")
        rep1 = next(a for a in posted if a.person.external_id == "REP1")
        assert "16,000.00 USD" in rep1.description
        assert "14,800.00 USD" in rep1.description
        assert "-1,200.00 USD" in rep1.description
        assert "2026-Q1" in rep1.description
        # The closed period's published run and its lines are untouched.
        published.refresh_from_db()
        assert published.approval == "approved"
        assert list(PayoutLine.objects.filter(run=published).order_by("pk").values()) == before
        assert CalcRun.objects.get(pk=recalculation.pk).approval == "none"
        # Posting twice is refused.
        assert close.recalculation_state(recalculation) == "posted"
        with pytest.raises(close.NothingToPost, match="already posted"):
            close.post_retro_adjustments(actor=world.users["finance"], run_id=recalculation.pk)
        assert Adjustment.objects.count() == 2

    def _closed_with_recalculation(self, world: World) -> tuple[CalcRun, CalcRun]:
        q1 = period("2026-Q1")
        published = make_run(q1)
        add_payout(published, world.people["rep1"], "1000.00")
        add_payout(published, world.people["rep2"], "500.00", component_id="spiff")
        publish(world, published)
        close.close_period(actor=world.users["finance"], period_key="2026-Q1")
        recalculation = make_run(q1)
        add_payout(recalculation, world.people["rep1"], "1000.00")
        add_payout(recalculation, world.people["rep3"], "75.50")
        return published, recalculation

    def test_differences_per_payee_plan_and_component(self, world: World) -> None:
        published, recalculation = self._closed_with_recalculation(world)
        differences = close.payout_differences(published=published, recalculation=recalculation)
        assert [
            (d.person_id, d.component_id, d.old_amount, d.new_amount, d.amount) for d in differences
        ] == [
            (world.people["rep2"].pk, "spiff", Decimal("500.00"), Decimal(0), Decimal("-500.00")),
            (world.people["rep3"].pk, "commission", Decimal(0), Decimal("75.50"), Decimal("75.50")),
        ]

    def test_the_open_period_is_made_when_missing(self, world: World) -> None:
        _, recalculation = self._closed_with_recalculation(world)
        assert not Period.objects.filter(key="2027-Q1").exists()
        posted = close.post_retro_adjustments(
            actor=world.users["admin"], run_id=recalculation.pk, on=date(2027, 2, 1)
        )
        assert {a.period.key for a in posted} == {"2027-Q1"}
        assert sorted(a.amount for a in posted) == [Decimal("-500.00"), Decimal("75.50")]

    def test_an_open_period_has_nothing_to_post(self, world: World) -> None:
        run = make_run(period("2026-Q1"))
        with pytest.raises(close.NothingToPost, match="is open"):
            close.post_retro_adjustments(actor=world.users["finance"], run_id=run.pk)

    @pytest.mark.parametrize("role", ["manager1", "rep1", "partner"])
    def test_only_approvers_post(self, world: World, role: str) -> None:
        _, recalculation = self._closed_with_recalculation(world)
        with pytest.raises(PermissionDenied):
            close.post_retro_adjustments(actor=world.users[role], run_id=recalculation.pk)
        assert not Adjustment.objects.exists()

    def test_a_closed_current_period_is_refused(self, world: World) -> None:
        _, recalculation = self._closed_with_recalculation(world)
        Period.objects.filter(key="2026-Q2").update(status=Period.Status.CLOSED)
        with pytest.raises(PeriodClosed, match="2026-Q2"):
            close.post_retro_adjustments(
                actor=world.users["finance"], run_id=recalculation.pk, on=date(2026, 5, 1)
            )
        assert not Adjustment.objects.exists()


@pytest.mark.django_db
class TestAdjustmentsSurviveRecalculation:
    def test_a_new_run_does_not_change_them(self, world: World) -> None:
        publish_ae_plan(world)
        glossary_quarter(world)
        q1 = period("2026-Q1")
        adjustment = _adjust(world, q1, "-125.50")
        decide_adjustment(actor=world.users["finance"], adjustment_id=adjustment.pk, approve=True)
        before = list(Adjustment.objects.order_by("pk").values())
        for _ in range(2):
            run = calc.execute_run(
                run_id=calc.request_run(actor=world.users["compadmin"], period_key="2026-Q1").pk
            )
            assert run.status == "succeeded", run.error
        assert list(Adjustment.objects.order_by("pk").values()) == before
