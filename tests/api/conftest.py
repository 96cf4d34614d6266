"""A small company with a row of every entity per payee, and who may see which of them."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.apps import apps
from django.db import transaction
from django.test import Client

from openspm.core import services as core_services
from openspm.core.models import ApiToken, User
from openspm.org.models import Person, ReportingLine, Team, TeamMembership
from openspm.sales.models import (
    Currency,
    FxRate,
    Product,
    ProductFamily,
    Transaction,
)
from openspm.territories.models import NamedAccount, Territory, TerritoryMember, TerritoryRule
from tests.factories import (
    World,
    make_account,
    make_currency,
    make_person,
    make_product,
    make_quota,
    make_transaction,
)

ROLES = (
    "anonymous",
    "rep1",
    "rep2",
    "manager1",
    "manager2",
    "vp",
    "finance",
    "compadmin",
    "admin",
    "partner",
)
EDITORS = frozenset({"admin", "compadmin"})
SEE_ALL = frozenset({"finance", "compadmin", "admin"})
PAYEES = ("vp", "manager1", "manager2", "rep1", "rep2", "rep3", "outsider")

# The payees each role sees under today's hierarchy (None: every payee).
VISIBLE_PAYEES: dict[str, frozenset[str] | None] = {
    "anonymous": frozenset(),
    "rep1": frozenset({"rep1"}),
    "rep2": frozenset({"rep2"}),
    "manager1": frozenset({"manager1", "rep1", "rep2"}),
    "manager2": frozenset({"manager2", "rep3"}),
    "vp": frozenset({"vp", "manager1", "manager2", "rep1", "rep2", "rep3"}),
    "finance": None,
    "compadmin": None,
    "admin": None,
    "partner": frozenset(),
}


@pytest.fixture(autouse=True)
def _static_from_finders(settings: Any) -> None:
    # WhiteNoise warns (an error under filterwarnings) when STATIC_ROOT was never collected;
    # in tests it serves straight from the apps' static folders instead, as in development.
    settings.WHITENOISE_AUTOREFRESH = True
    settings.WHITENOISE_USE_FINDERS = True


def sees_payee(role: str, payee: str | None) -> bool:
    """Whether `role` sees rows belonging to `payee` (None: a row with no payee)."""
    visible = VISIBLE_PAYEES[role]
    return visible is None or (payee is not None and payee in visible)


def is_internal(role: str) -> bool:
    return role not in ("anonymous", "partner")


@dataclass
class Company:
    """The world's users and payees, plus rows keyed by a readable name.

    `owners[kind][name]` is the payee(s) a row belongs to, for deciding who sees it.
    """

    world: World
    people: dict[str, Person]
    rows: dict[str, dict[str, Any]] = field(default_factory=dict)
    owners: dict[str, dict[str, tuple[str, ...]]] = field(default_factory=dict)
    tokens: dict[str, tuple[ApiToken, str]] = field(default_factory=dict)

    @property
    def users(self) -> dict[str, User]:
        return self.world.users

    def add(self, kind: str, name: str, row: Any, *payees: str) -> None:
        self.rows.setdefault(kind, {})[name] = row
        self.owners.setdefault(kind, {})[name] = payees

    def ids(self, kind: str, names: set[str] | None = None) -> set[Any]:
        return {r.pk for n, r in self.rows[kind].items() if names is None or n in names}

    def visible_names(self, kind: str, role: str) -> set[str]:
        """Rows of a payee-owned `kind` the role sees: any of the row's payees is visible."""
        return {
            name
            for name, payees in self.owners[kind].items()
            if any(sees_payee(role, p) for p in payees) or (not payees and sees_payee(role, None))
        }


@pytest.fixture
def company(world: World) -> Company:
    people = dict(world.people)
    # A payee outside every manager's tree: only see-all roles see them.
    people["outsider"] = make_person(external_id="OUTSIDER", first_name="Out", last_name="Sider")
    c = Company(world=world, people=people)
    for name in PAYEES:
        c.add("people", name, people[name], name)
    for line in ReportingLine.objects.select_related("person"):
        name = next(n for n, p in people.items() if p.pk == line.person_id)
        c.add("reporting_lines", name, line, name)

    usd, eur = make_currency("USD"), make_currency("EUR")
    make_currency("GBP")
    for code in ("USD", "EUR", "GBP"):
        c.add("currencies", code, Currency.objects.get(pk=code))
    c.add(
        "fx_rates",
        "eurusd",
        FxRate.objects.create(
            currency=eur, quote_currency=usd, rate_on=date(2026, 1, 1), rate=Decimal("1.0850")
        ),
    )
    c.add(
        "fx_rates",
        "gbpusd",
        FxRate.objects.create(
            currency_id="GBP", quote_currency=usd, rate_on=date(2026, 1, 1), rate=Decimal("1.27")
        ),
    )
    product = make_product(sku="CORE-1", family_code="core")
    make_product(sku="ADDON-1", family_code="addons")
    for p in Product.objects.all():
        c.add("products", p.sku, p)
    for f in ProductFamily.objects.all():
        c.add("product_families", f.code, f)

    for name in PAYEES:
        c.add("accounts", name, make_account(owner=people[name], name=f"{name} Corp"), name)
    c.add("accounts", "unowned", make_account(owner=None, name="Nobody Ltd"))

    for i, name in enumerate(PAYEES):
        c.add(
            "transactions",
            name,
            make_transaction(
                owner=people[name],
                amount=Decimal("1234.5") + i,
                booked_on=date(2026, 1, 10 + i),
                account=c.rows["accounts"][name],
                product=product,
                external_id=f"T-{name.upper()}",
            ),
            name,
        )
    # rep3's deal with a split to rep1: rep1 (and their managers) see it too; rep2 does not.
    c.add(
        "transactions",
        "shared",
        make_transaction(
            owner=people["rep3"],
            amount=Decimal("5000"),
            booked_on=date(2026, 2, 1),
            splits={people["rep3"]: Decimal("60"), people["rep1"]: Decimal("40")},
            external_id="T-SHARED",
            status=Transaction.Status.INVOICED,
        ),
        "rep3",
        "rep1",
    )

    for name in PAYEES:
        c.add("quotas", name, make_quota(person=people[name], amount=Decimal("100000")), name)

    east = Team.objects.create(code="east", name="East", leader=people["manager1"])
    west = Team.objects.create(code="west", name="West", leader=people["manager2"])
    empty = Team.objects.create(code="empty", name="Empty")
    c.add("teams", "east", east, "manager1", "rep1", "rep2")
    c.add("teams", "west", west, "manager2", "rep3")
    c.add("teams", "empty", empty)
    for team, name in (
        (east, "manager1"),
        (east, "rep1"),
        (east, "rep2"),
        (west, "rep3"),
        (west, "outsider"),
    ):
        membership = TeamMembership.objects.create(
            team=team, person=people[name], effective_from=date(2024, 1, 1)
        )
        c.add("team_memberships", f"{team.code}-{name}", membership, name)

    north = Territory.objects.create(code="north", name="North", region="EMEA", priority=1)
    TerritoryRule.objects.create(territory=north, field="country", value="DE")
    NamedAccount.objects.create(territory=north, account=c.rows["accounts"]["rep1"])
    TerritoryMember.objects.create(
        territory=north, person=people["rep1"], effective_from=date(2026, 1, 1)
    )
    south = Territory.objects.create(code="south", name="South", region="AMER")
    c.add("territories", "north", north)
    c.add("territories", "south", south)

    from openspm.org.models import Period

    for period in Period.objects.all():
        c.add("periods", period.key, period)

    for name in ("rep1", "manager1"):
        c.tokens[name] = core_services.create_api_token(
            user=world.users[name], name=f"{name} laptop", scopes=["read"]
        )
        c.add("tokens", name, c.tokens[name][0])
    return c


def client_for(company: Company, role: str) -> Client:
    client = Client()
    if role != "anonymous":
        client.force_login(company.users[role])
    return client


def call(client: Client, method: str, url: str, payload: Any = None, **headers: str) -> Any:
    """One API request; returns the response with `.data` (parsed JSON or None)."""
    body = json.dumps(payload) if payload is not None else None
    response = client.generic(
        method, url, data=body or "", content_type="application/json", headers=headers
    )
    try:
        response.data = json.loads(response.content) if response.content else None
    except ValueError:
        response.data = None
    return response


def snapshot(*, exclude: tuple[str, ...] = ()) -> dict[str, list[dict[str, Any]]]:
    """Every row of every table of ours (history included): a denied write changes none.

    Logins are left out (signing in stamps `last_login`), and any label in `exclude`.
    """
    return {
        model._meta.label: list(model._default_manager.order_by("pk").values())
        for config in apps.get_app_configs()
        if config.name.startswith("openspm.")
        for model in config.get_models()
        if model._meta.label not in ("core.User", *exclude)
    }


def rolled_back(fn: Callable[[], Any]) -> Any:
    """Run `fn` in a transaction that is always rolled back, so roles do not see each
    other's writes."""
    with transaction.atomic():
        result = fn()
        transaction.set_rollback(True)
    return result
