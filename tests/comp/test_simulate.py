from __future__ import annotations

from decimal import Decimal

import pytest

from openspm.comp.errors import RunFailed
from openspm.comp.models import CalcRun, PayoutLine
from openspm.comp.services.simulate import simulate_version
from openspm.core.errors import NotFound, PermissionDenied
from openspm.plans import services as plan_services
from openspm.plans.models import PlanVersion
from tests.comp.factories import glossary_quarter, publish_ae_plan
from tests.factories import World


def draft_with_top_rate(world: World, published: PlanVersion, rate: str) -> PlanVersion:
    """A draft copied from `published` with the top tier's rate (0.12) changed to `rate`."""
    admin = world.users["compadmin"]
    draft = plan_services.new_draft(actor=admin, plan_id=published.plan_id)
    assert "rate: 0.12" in draft.text
    return plan_services.update_draft(
        actor=admin, version_id=draft.pk, text=draft.text.replace("rate: 0.12", f"rate: {rate}")
    )


@pytest.mark.django_db
class TestSimulateVersion:
    def test_top_rate_change_against_hand_computed_numbers(self, world: World) -> None:
        published = publish_ae_plan(world)
        glossary_quarter(world)
        draft = draft_with_top_rate(world, published, "0.15")

        result = simulate_version(
            actor=world.users["finance"], version_id=draft.pk, period_key="2026-Q1"
        )

        # rep1: quota 200,000; D1 150,000 all in tier 1 (7,500); D2 100,000 = 50,000 in tier 1
        # (2,500) and 50,000 above quota: 6,000 at 12 %, 7,500 at 15 % → +1,500.
        # rep2 sells half their quota: tier 1 only, unchanged at 2,500.
        by_payee = {p.external_id: p for p in result.payees}
        rep1, rep2 = by_payee["REP1"], by_payee["REP2"]
        assert (rep1.published_amount, rep1.draft_amount, rep1.difference) == (
            Decimal("16000.00"),
            Decimal("17500.00"),
            Decimal("1500.00"),
        )
        assert (rep2.published_amount, rep2.draft_amount, rep2.difference) == (
            Decimal("2500.00"),
            Decimal("2500.00"),
            Decimal(0),
        )
        assert rep1.person_id == world.people["rep1"].pk
        assert rep1.causes == ("+1,500.00: rate on D2: 0.12 → 0.15 [commission]",)
        assert rep2.causes == ()
        assert [p.external_id for p in result.changed_payees] == ["REP1"]
        [usd] = result.totals
        assert (usd.currency, usd.published_amount, usd.draft_amount, usd.difference) == (
            "USD",
            Decimal("18500.00"),
            Decimal("20000.00"),
            Decimal("1500.00"),
        )
        assert result.published_plans == ("ae v1",)
        assert result.draft_plans == ("ae v2",)
        assert "REP1 2026-Q1: 16,000.00 → 17,500.00 (+1,500.00)" in result.report

    def test_writes_nothing(self, world: World) -> None:
        published = publish_ae_plan(world)
        glossary_quarter(world)
        draft = draft_with_top_rate(world, published, "0.15")
        simulate_version(actor=world.users["compadmin"], version_id=draft.pk, period_key="2026-Q1")
        assert not CalcRun.objects.exists()
        assert not PayoutLine.objects.exists()

    def test_the_published_version_itself_changes_nothing(self, world: World) -> None:
        published = publish_ae_plan(world)
        glossary_quarter(world)
        result = simulate_version(
            actor=world.users["admin"], version_id=published.pk, period_key="2026-Q1"
        )
        assert result.changed_payees == ()
        assert result.report == "no differences\n"

    def test_an_invalid_draft_is_a_clear_error(self, world: World) -> None:
        published = publish_ae_plan(world)
        glossary_quarter(world)
        draft = draft_with_top_rate(world, published, "lots")
        with pytest.raises(RunFailed, match="rate"):
            simulate_version(
                actor=world.users["compadmin"], version_id=draft.pk, period_key="2026-Q1"
            )

    @pytest.mark.parametrize("role", ["rep1", "manager1", "vp", "partner"])
    def test_only_roles_that_see_all_pay_may_simulate(self, world: World, role: str) -> None:
        published = publish_ae_plan(world)
        with pytest.raises(PermissionDenied):
            simulate_version(actor=world.users[role], version_id=published.pk, period_key="2026-Q1")

    def test_unknown_period_is_not_found(self, world: World) -> None:
        published = publish_ae_plan(world)
        with pytest.raises(NotFound):
            simulate_version(actor=world.users["admin"], version_id=published.pk, period_key="1999")
