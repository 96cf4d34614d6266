"""Pages run a fixed number of queries: adding rows never adds queries (no N+1)."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from openspm.org.models import Team, TeamMembership
from openspm.quotas.models import Quota
from openspm.sales.models import CreditSplit, FxRate
from openspm.territories.models import NamedAccount, Territory, TerritoryMember, TerritoryRule
from tests.factories import make_account, make_line, make_person, make_product, make_transaction
from tests.web.conftest import Company

_counter = itertools.count()


def add_rows(company: Company, n: int) -> None:
    """`n` more of every row kind, all under manager1 so managers and reps see them too."""
    people = company.world.people
    booked = company.quarter.start_on
    for _ in range(n):
        i = next(_counter)
        person = make_person(external_id=f"Q{i:05d}")
        make_line(person, people["manager1"])
        account = make_account(owner=people["rep1"], country="DE")
        product = make_product(family_code=f"fam{i % 7}")
        tx = make_transaction(
            owner=people["rep1"], booked_on=booked, account=account, product=product
        )
        CreditSplit.objects.create(
            transaction=tx, person=people["rep1"], split_percent=Decimal(100)
        )
        CreditSplit.objects.create(
            transaction=company.transactions["split"], person=person, split_percent=Decimal("0.5")
        )
        Quota.objects.create(
            person=person, period=company.quarter, amount=Decimal(1000), currency_id="USD"
        )
        Quota.objects.create(
            person=people["rep1"],
            period=company.quarter,
            measure=f"m{i}",
            amount=Decimal(5),
            currency_id="USD",
        )
        territory = Territory.objects.create(code=f"T{i}", name=f"Territory {i}", priority=i)
        TerritoryRule.objects.create(territory=territory, field="country", value=f"X{i}")
        TerritoryMember.objects.create(
            territory=company.territory, person=person, effective_from=date(2024, 1, 1)
        )
        TerritoryMember.objects.create(
            territory=territory, person=person, effective_from=date(2024, 1, 1)
        )
        NamedAccount.objects.create(territory=company.territory, account=account)
        FxRate.objects.create(
            currency_id="EUR",
            quote_currency_id="USD",
            rate_on=date(1990, 1, 1) + timedelta(days=i),
            rate=Decimal("1.2"),
        )
        team = Team.objects.create(code=f"team{i}", name=f"Team {i}", leader=person)
        TeamMembership.objects.create(team=team, person=person, effective_from=date(2024, 1, 1))
        TeamMembership.objects.create(
            team=company.team, person=person, effective_from=date(2024, 1, 1)
        )
        person.title = "Changed"
        person.save()


PAGES: list[tuple[str, Callable[[Company], list[object]]]] = [
    ("home", lambda c: []),
    ("org:people", lambda c: []),
    ("org:hierarchy", lambda c: []),
    ("org:teams", lambda c: []),
    ("org:periods", lambda c: []),
    ("web:person", lambda c: [c.world.people["rep1"].pk]),
    ("web:person", lambda c: [c.world.people["manager1"].pk]),
    ("web:account", lambda c: [c.accounts["rep1"].pk]),
    ("web:audit", lambda c: []),
    ("sales:transactions", lambda c: []),
    ("sales:transaction", lambda c: [c.transactions["split"].pk]),
    ("sales:accounts", lambda c: []),
    ("sales:products", lambda c: []),
    ("sales:fx_rates", lambda c: []),
    ("quotas:quotas", lambda c: []),
    ("quotas:quota", lambda c: [c.quotas["rep1"].pk]),
    ("territories:territories", lambda c: []),
    ("territories:territory", lambda c: [c.territory.pk]),
]


def _count(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


CASES = [
    pytest.param(role, name, args, id=f"{name}-{i}-{role}")
    for i, (name, args) in enumerate(PAGES)
    for role in ("admin", "manager1")
] + [pytest.param("rep1", "home", PAGES[0][1], id="home-rep1")]


@pytest.mark.parametrize(("role", "name", "args"), CASES)
def test_queries_do_not_grow_with_rows(
    name: str,
    args: Callable[[Company], list[object]],
    role: str,
    company: Company,
    login: Callable[[str], Client],
) -> None:
    client = login(role)
    url = reverse(name, args=args(company))
    if client.get(url).status_code != 200:
        pytest.skip(f"{role} may not open {name}; the page matrix checks that")
    add_rows(company, 5)
    few = _count(client, url)
    add_rows(company, 45)
    assert _count(client, url) == few
    assert few <= 30
