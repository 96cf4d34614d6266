from __future__ import annotations

from datetime import date
from decimal import Decimal

from openspm.org.services import ensure_fiscal_year
from openspm.plans import services as plan_services
from openspm.plans.models import PlanVersion
from tests.factories import World, make_quota, make_transaction

TIERED_PLAN = """\
schema_version: 1
id: ae
version: 1
currency: USD
measures:
  bookings:
    value: amount
    filter: status not in ['cancelled', 'refunded']
components:
  - id: commission
    kind: commission
    measure: bookings
    tiering: marginal
    tier_basis: attainment
    accumulate: quarter_to_date
    tiers:
      - {from: 0, to: 1, rate: 0.05}
      - {from: 1, rate: 0.12}
pay:
  frequency: quarter
  rounding: {places: 2, mode: half_up}
"""


def publish_ae_plan(
    world: World, *, people: tuple[str, ...] = ("rep1", "rep2"), text: str = TIERED_PLAN
) -> PlanVersion:
    admin, finance = world.users["compadmin"], world.users["finance"]
    draft = plan_services.create_plan(
        actor=admin, code="ae", name="AE", text=text, effective_from=date(2026, 1, 1)
    )
    plan_services.submit_version(actor=admin, version_id=draft.pk)
    version = plan_services.approve_version(actor=finance, version_id=draft.pk)
    for name in people:
        plan_services.assign_plan(
            actor=admin,
            plan_id=version.plan_id,
            person=world.people[name],
            effective_from=date(2026, 1, 1),
        )
    return version


def glossary_quarter(world: World) -> None:
    """The glossary's accumulation example for rep1: quota 200,000; D1 150,000 then D2 100,000
    (16,000 of marginal commission); rep2 sells 50,000 of a 100,000 quota (2,500)."""
    ensure_fiscal_year(fiscal_year=2026)
    make_quota(person=world.people["rep1"], period_key="2026-Q1", amount=Decimal("200000"))
    make_quota(person=world.people["rep2"], period_key="2026-Q1", amount=Decimal("100000"))
    rep1, rep2 = world.people["rep1"], world.people["rep2"]
    make_transaction(
        owner=rep1, amount=Decimal("150000"), booked_on=date(2026, 1, 20), external_id="D1"
    )
    make_transaction(
        owner=rep1, amount=Decimal("100000"), booked_on=date(2026, 2, 10), external_id="D2"
    )
    make_transaction(
        owner=rep2, amount=Decimal("50000"), booked_on=date(2026, 3, 5), external_id="D3"
    )
    make_transaction(
        owner=rep2,
        amount=Decimal("99999"),
        booked_on=date(2026, 3, 6),
        external_id="D4",
        status="cancelled",
        cancelled_on=date(2026, 3, 9),
    )
