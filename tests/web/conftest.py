"""A small company with deals, quotas, accounts and a territory, dated around today."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.test import Client

from openspm.org.models import Period, Team, TeamMembership
from openspm.org.selectors import today
from openspm.org.services import ensure_fiscal_year
from openspm.quotas.models import Quota
from openspm.sales.models import Account, FxRate, Transaction
from openspm.territories.models import NamedAccount, Territory, TerritoryMember, TerritoryRule
from tests.factories import World, make_account, make_currency, make_product, make_transaction

ROLES = ("rep1", "rep2", "manager1", "manager2", "vp", "finance", "compadmin", "admin", "partner")


@dataclass
class Company:
    """`world` plus rows whose visibility the page tests check."""

    world: World
    quarter: Period
    transactions: dict[str, Transaction]
    accounts: dict[str, Account]
    quotas: dict[str, Quota]
    territory: Territory
    team: Team


def _quota(person: object, period: Period, amount: str, currency: str = "USD") -> Quota:
    return Quota.objects.create(
        person=person, period=period, amount=Decimal(amount), currency=make_currency(currency)
    )


@pytest.fixture(autouse=True)
def _static_root(settings, tmp_path_factory):  # type: ignore[no-untyped-def]
    # Whitenoise warns (an error under filterwarnings=error) when STATIC_ROOT does not exist.
    settings.STATIC_ROOT = tmp_path_factory.getbasetemp() / "static"
    settings.STATIC_ROOT.mkdir(exist_ok=True)


@pytest.fixture
def company(world: World) -> Company:
    """Deals of this quarter: rep1 1,000 USD alone and 5,000 USD split 60/40 with rep2, plus a
    cancelled 9,999 USD; rep2 2,000 USD; rep3 3,000 USD and 1,000 EUR (at 1.10 USD).
    Quotas this quarter: rep1 10,000, rep2 5,000, rep3 8,000, manager1 20,000, manager2 10,000.
    """
    on = today()
    periods = {p.key: p for p in ensure_fiscal_year(fiscal_year=on.year)}
    quarter = next(
        p for p in periods.values() if p.kind == "quarter" and p.start_on <= on <= p.end_on
    )
    booked = quarter.start_on
    people = world.people
    make_currency("USD")
    make_currency("EUR")
    FxRate.objects.create(
        currency_id="EUR",
        quote_currency_id="USD",
        rate_on=booked - timedelta(days=40),
        rate=Decimal("1.10"),
    )
    accounts = {
        "rep1": make_account(owner=people["rep1"], name="Acme GmbH", country="DE"),
        "rep2": make_account(owner=people["rep2"], name="Bolt SA", country="FR"),
        "rep3": make_account(owner=people["rep3"], name="Crane Ltd", country="GB"),
    }
    transactions = {
        "rep1": make_transaction(
            owner=people["rep1"],
            amount=Decimal("1000.00"),
            booked_on=booked,
            account=accounts["rep1"],
            external_id="D-REP1",
        ),
        "split": make_transaction(
            owner=people["rep1"],
            amount=Decimal("5000.00"),
            booked_on=booked,
            external_id="D-SPLIT",
            splits={people["rep1"]: Decimal("60"), people["rep2"]: Decimal("40")},
        ),
        "cancelled": make_transaction(
            owner=people["rep1"],
            amount=Decimal("9999.00"),
            booked_on=booked,
            status="cancelled",
            external_id="D-CANC",
        ),
        "rep2": make_transaction(
            owner=people["rep2"],
            amount=Decimal("2000.00"),
            booked_on=booked,
            account=accounts["rep2"],
            external_id="D-REP2",
        ),
        "rep3": make_transaction(
            owner=people["rep3"],
            amount=Decimal("3000.00"),
            booked_on=booked,
            account=accounts["rep3"],
            external_id="D-REP3",
        ),
        "rep3eur": make_transaction(
            owner=people["rep3"],
            amount=Decimal("1000.00"),
            currency="EUR",
            booked_on=booked,
            external_id="D-REP3-EUR",
        ),
    }
    quotas = {
        "rep1": _quota(people["rep1"], quarter, "10000"),
        "rep2": _quota(people["rep2"], quarter, "5000"),
        "rep3": _quota(people["rep3"], quarter, "8000"),
        "manager1": _quota(people["manager1"], quarter, "20000"),
        "manager2": _quota(people["manager2"], quarter, "10000"),
    }
    territory = Territory.objects.create(code="DACH", name="DACH", region="EMEA", priority=1)
    TerritoryRule.objects.create(territory=territory, field="country", value="DE")
    NamedAccount.objects.create(territory=territory, account=accounts["rep3"])
    TerritoryMember.objects.create(
        territory=territory, person=people["rep1"], effective_from=date(2024, 1, 1)
    )
    TerritoryMember.objects.create(
        territory=territory, person=people["rep3"], effective_from=date(2024, 1, 1)
    )
    make_product(sku="CORE-1", family_code="core")
    team = Team.objects.create(code="east", name="East", leader=people["manager1"])
    TeamMembership.objects.create(team=team, person=people["rep1"], effective_from=date(2024, 1, 1))
    TeamMembership.objects.create(team=team, person=people["rep2"], effective_from=date(2024, 1, 1))
    return Company(world, quarter, transactions, accounts, quotas, territory, team)


@pytest.fixture
def login(client: Client, world: World):  # type: ignore[no-untyped-def]
    """`login("rep1")` signs that user in on the test client and returns it."""

    def _login(name: str) -> Client:
        client.force_login(world.users[name])
        return client

    return _login
