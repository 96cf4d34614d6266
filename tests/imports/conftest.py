from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
from django.apps import apps
from django.db import models

from openspm.core.models import User
from openspm.imports.results import ImportResult
from openspm.imports.services import import_file
from tests.factories import World, make_account, make_currency, make_product, make_transaction

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "imports"

# Every model an import may write, with its audit history: "nothing written" means none change.
WRITABLE = [
    ("org", "Person"),
    ("org", "Team"),
    ("org", "TeamMembership"),
    ("org", "ReportingLine"),
    ("sales", "Currency"),
    ("sales", "FxRate"),
    ("sales", "Account"),
    ("sales", "ProductFamily"),
    ("sales", "Product"),
    ("sales", "Transaction"),
    ("sales", "CreditSplit"),
    ("quotas", "Quota"),
    ("territories", "Territory"),
    ("territories", "TerritoryRule"),
    ("territories", "NamedAccount"),
    ("territories", "TerritoryMember"),
]


@pytest.fixture(autouse=True)
def _static_from_finders(settings: pytest.FixtureRequest) -> None:
    # WhiteNoise warns (an error here) when STATIC_ROOT was never collected: serve from the apps.
    settings.WHITENOISE_AUTOREFRESH = True  # type: ignore[attr-defined]
    settings.WHITENOISE_USE_FINDERS = True  # type: ignore[attr-defined]


@pytest.fixture(autouse=True)
def _uploads_in_tmp(settings: pytest.FixtureRequest, tmp_path: Path) -> None:
    settings.DATA_DIR = tmp_path  # type: ignore[attr-defined]


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def snapshot() -> dict[str, int]:
    """Row counts of every writable table and of its history table."""
    counts: dict[str, int] = {}
    for app, name in WRITABLE:
        model: type[models.Model] = apps.get_model(app, name)
        counts[name] = model._default_manager.count()
        counts[f"{name} history"] = model.history.count()  # type: ignore[attr-defined]
    return counts


@dataclass
class Sales:
    """The `world` plus currencies, accounts and products the sample files refer to."""

    world: World
    compadmin: User


@pytest.fixture
def sales(world: World) -> Sales:
    make_currency("USD")
    make_currency("EUR")
    make_account(external_id="ACME", name="Acme Corp", owner=world.people["rep1"])
    make_account(external_id="GLOBEX", name="Globex", owner=world.people["rep2"])
    make_product(sku="SKU-CORE", family_code="core")
    make_product(sku="SKU-ADDON", family_code="addons")
    return Sales(world=world, compadmin=world.users["compadmin"])


@pytest.fixture
def split_deals(sales: Sales) -> Sales:
    people = sales.world.people
    make_transaction(external_id="T-9001", owner=people["rep1"], amount=Decimal("1000.00"))
    make_transaction(external_id="T-9002", owner=people["rep3"], amount=Decimal("500.00"))
    return sales


def run(
    actor: User, entity: str, content: bytes, *, filename: str = "file.csv", dry_run: bool = False
) -> ImportResult:
    return import_file(
        actor=actor, entity=entity, content=content, filename=filename, dry_run=dry_run
    )


def errors_of(result: ImportResult) -> list[tuple[int | None, str]]:
    return [(e.row, e.column) for e in result.errors]


@pytest.fixture
def company(split_deals: Sales) -> Sales:
    """One row (or more) of every entity, for round trips."""
    from datetime import date

    from openspm.org.models import Team, TeamMembership
    from openspm.org.services import ensure_fiscal_year
    from openspm.sales.models import CreditSplit, FxRate, Transaction
    from openspm.territories.models import NamedAccount, Territory, TerritoryMember, TerritoryRule
    from tests.factories import make_quota

    people = split_deals.world.people
    ensure_fiscal_year(fiscal_year=2026)
    team = Team.objects.create(code="EMEA-1", name="EMEA one", leader=people["manager1"])
    TeamMembership.objects.create(team=team, person=people["rep1"], effective_from=date(2026, 1, 1))
    TeamMembership.objects.create(
        team=team,
        person=people["rep2"],
        effective_from=date(2025, 1, 1),
        effective_to=date(2026, 1, 1),
    )
    FxRate.objects.create(
        currency_id="EUR", quote_currency_id="USD", rate_on=date(2026, 1, 1), rate="1.0850000000"
    )
    tx = Transaction.objects.get(external_id="T-9001")
    CreditSplit.objects.create(transaction=tx, person=people["rep1"], split_percent="62.5")
    CreditSplit.objects.create(transaction=tx, person=people["rep2"], split_percent="37.5")
    make_quota(person=people["rep1"], amount=Decimal("150000.25"))
    parent = Territory.objects.create(code="EMEA", name="EMEA", region="EMEA", priority=1)
    child = Territory.objects.create(code="EMEA-FR", name="France", region="EMEA", parent=parent)
    TerritoryRule.objects.create(territory=child, field="country", value="FR")
    TerritoryRule.objects.create(territory=child, field="postal_prefix", value="75")
    NamedAccount.objects.create(
        territory=child, account=split_deals.world.people["rep1"].accounts.get()
    )
    TerritoryMember.objects.create(
        territory=child, person=people["rep1"], effective_from=date(2026, 1, 1)
    )
    TerritoryMember.objects.create(
        territory=parent, person=people["manager1"], role="overlay", effective_from=date(2026, 1, 1)
    )
    return split_deals
