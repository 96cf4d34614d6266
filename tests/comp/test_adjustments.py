from __future__ import annotations

from decimal import Decimal

import pytest

from openspm.comp.models import Adjustment
from openspm.comp.services.adjustments import PeriodClosed, create_adjustment, decide_adjustment
from openspm.core.errors import InvalidInput, PermissionDenied
from openspm.org.models import Period
from openspm.org.services import ensure_fiscal_year
from openspm.plans.errors import ApprovalRefused
from tests.factories import World


@pytest.fixture
def quarter(db: None) -> Period:
    return next(p for p in ensure_fiscal_year(fiscal_year=2026) if p.key == "2026-Q2")


@pytest.mark.django_db
class TestAdjustments:
    def _make(self, world: World, period: Period, **kwargs: object) -> Adjustment:
        fields = {
            "actor": world.users["compadmin"],
            "person": world.people["rep1"],
            "period": period,
            "amount": Decimal("250.00"),
            "currency": "USD",
            "reason_code": "missing_credit",
            "description": "Deal D9 was booked under the wrong owner",
        } | kwargs
        return create_adjustment(**fields)  # type: ignore[arg-type]

    def test_four_eyes(self, world: World, quarter: Period) -> None:
        adjustment = self._make(world, quarter)
        assert adjustment.status == "pending"
        with pytest.raises(ApprovalRefused):
            decide_adjustment(
                actor=world.users["compadmin"], adjustment_id=adjustment.pk, approve=True
            )
        decided = decide_adjustment(
            actor=world.users["finance"], adjustment_id=adjustment.pk, approve=True
        )
        assert decided.status == "approved"
        assert decided.decided_by == world.users["finance"]

    def test_rejection_needs_a_reason(self, world: World, quarter: Period) -> None:
        adjustment = self._make(world, quarter)
        with pytest.raises(InvalidInput):
            decide_adjustment(
                actor=world.users["finance"], adjustment_id=adjustment.pk, approve=False
            )
        assert Adjustment.objects.get(pk=adjustment.pk).status == "pending"

    def test_closed_period_refused(self, world: World, quarter: Period) -> None:
        quarter.status = Period.Status.CLOSED
        quarter.save()
        with pytest.raises(PeriodClosed):
            self._make(world, quarter)
        assert not Adjustment.objects.exists()

    def test_reps_cannot_create(self, world: World, quarter: Period) -> None:
        with pytest.raises(PermissionDenied):
            self._make(world, quarter, actor=world.users["rep1"])

    def test_zero_and_blank_are_refused(self, world: World, quarter: Period) -> None:
        with pytest.raises(InvalidInput):
            self._make(world, quarter, amount=Decimal(0))
        with pytest.raises(InvalidInput):
            self._make(world, quarter, description="  ")
