"""The entities that can be imported and exported: their file format (a Resource), the rows
an export holds, and the checks that look at a whole file rather than one row."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from openspm.core.access import Viewer
from openspm.core.errors import InvalidInput, NotFound
from openspm.imports import selectors
from openspm.imports.files import Table
from openspm.imports.results import RowError
from openspm.org import resources as org_resources
from openspm.org.resources import DecimalWidget, OpenSPMResource
from openspm.quotas import resources as quota_resources
from openspm.sales import resources as sales_resources
from openspm.sales import selectors as sales_selectors
from openspm.sales import services as sales_services
from openspm.territories import resources as territory_resources

FileCheck = Callable[[Table, Viewer], list[RowError]]


@dataclass(frozen=True)
class Entity:
    """One importable (or export-only) kind of row."""

    name: str
    label: str
    resource: type[OpenSPMResource]
    rows: Callable[..., Iterable[Any]]
    checks: tuple[FileCheck, ...] = field(default=())

    @property
    def importable(self) -> bool:
        return self.resource.importable

    def export_rows(self, *, viewer: Viewer) -> Iterable[Any]:
        return self.rows(viewer=viewer)


def _column(table: Table, name: str) -> list[tuple[int, str]]:
    if name not in table.headers:
        return []
    index = table.headers.index(name)
    return [(n, row[index]) for n, row in zip(table.row_numbers, table.rows, strict=True)]


def check_person_currencies(table: Table, actor: Viewer) -> list[RowError]:
    """A person's pay currency must be one the company has set up."""
    cells = [(n, v.upper()) for n, v in _column(table, "currency") if v]
    known = set(
        sales_selectors.list_currencies(viewer=actor)
        .filter(code__in={v for _n, v in cells})
        .values_list("code", flat=True)
    )
    return [RowError(n, "currency", f"Unknown currency {v!r}.") for n, v in cells if v not in known]


def check_split_totals(table: Table, actor: Viewer) -> list[RowError]:
    """A transaction's split rows must sum to exactly 100 (reported on its first row)."""
    groups: dict[str, list[tuple[int, Decimal]]] = {}
    percents = dict(_column(table, "split_percent"))
    widget = DecimalWidget()
    for number, tx in _column(table, "transaction"):
        try:
            percent = widget.clean(percents.get(number, ""))
        except ValueError:
            percent = None  # the cell's own error is reported by the row's validation
        if tx and percent is not None:
            groups.setdefault(tx, []).append((number, percent))
    errors = []
    for tx, rows in groups.items():
        try:
            sales_services.check_split_total(p for _n, p in rows)
        except InvalidInput as exc:
            listed = ", ".join(str(n) for n, _p in rows)
            errors.append(
                RowError(
                    rows[0][0], "split_percent", f"{exc.message} Transaction {tx}, rows {listed}."
                )
            )
    return errors


ENTITIES: dict[str, Entity] = {
    e.name: e
    for e in (
        Entity(
            "currencies", "Currencies", sales_resources.CurrencyResource, selectors.list_currencies
        ),
        Entity("fx_rates", "FX rates", sales_resources.FxRateResource, selectors.list_fx_rates),
        Entity(
            "people",
            "People",
            org_resources.PersonResource,
            selectors.list_people,
            checks=(check_person_currencies,),
        ),
        Entity("teams", "Teams", org_resources.TeamResource, selectors.list_teams),
        Entity(
            "team_memberships",
            "Team memberships",
            org_resources.TeamMembershipResource,
            selectors.list_team_memberships,
        ),
        Entity(
            "reporting_lines",
            "Reporting lines",
            org_resources.ReportingLineResource,
            selectors.list_reporting_lines,
        ),
        Entity("periods", "Periods", org_resources.PeriodResource, selectors.list_periods),
        Entity("accounts", "Accounts", sales_resources.AccountResource, selectors.list_accounts),
        Entity(
            "product_families",
            "Product families",
            sales_resources.ProductFamilyResource,
            selectors.list_product_families,
        ),
        Entity("products", "Products", sales_resources.ProductResource, selectors.list_products),
        Entity(
            "transactions",
            "Transactions",
            sales_resources.TransactionResource,
            selectors.list_transactions,
        ),
        Entity(
            "credit_splits",
            "Credit splits",
            sales_resources.CreditSplitResource,
            selectors.list_credit_splits,
            checks=(check_split_totals,),
        ),
        Entity("quotas", "Quotas", quota_resources.QuotaResource, selectors.list_quotas),
        Entity(
            "territories",
            "Territories",
            territory_resources.TerritoryResource,
            selectors.list_territories,
        ),
        Entity(
            "territory_rules",
            "Territory rules",
            territory_resources.TerritoryRuleResource,
            selectors.list_territory_rules,
        ),
        Entity(
            "named_accounts",
            "Named accounts",
            territory_resources.NamedAccountResource,
            selectors.list_named_accounts,
        ),
        Entity(
            "territory_members",
            "Territory members",
            territory_resources.TerritoryMemberResource,
            selectors.list_territory_members,
        ),
    )
}


def get_entity(name: str) -> Entity:
    entity = ENTITIES.get(name)
    if entity is None:
        raise NotFound(f"Unknown entity {name!r}: use one of {', '.join(ENTITIES)}.")
    return entity
