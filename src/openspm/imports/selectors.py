"""The rows each export contains: only what the viewer may see, read through each app's
selectors."""

from __future__ import annotations

from django.db.models import QuerySet

from openspm.core.access import Viewer, is_internal
from openspm.org import selectors as org_selectors
from openspm.org.models import Period
from openspm.quotas import selectors as quota_selectors
from openspm.sales import selectors as sales_selectors
from openspm.sales.models import CreditSplit
from openspm.territories import selectors as territory_selectors
from openspm.territories.models import NamedAccount, Territory, TerritoryMember, TerritoryRule


def list_people(*, viewer: Viewer) -> QuerySet:  # type: ignore[type-arg]
    return org_selectors.list_people(viewer=viewer).order_by("external_id")


def list_teams(*, viewer: Viewer) -> QuerySet:  # type: ignore[type-arg]
    return org_selectors.list_teams(viewer=viewer).order_by("code")


def list_team_memberships(*, viewer: Viewer) -> QuerySet:  # type: ignore[type-arg]
    return org_selectors.list_team_memberships(viewer=viewer).order_by(
        "team__code", "person__external_id", "effective_from"
    )


def list_reporting_lines(*, viewer: Viewer) -> QuerySet:  # type: ignore[type-arg]
    return org_selectors.list_reporting_lines(viewer=viewer).order_by(
        "person__external_id", "effective_from"
    )


def list_periods(*, viewer: Viewer) -> QuerySet:  # type: ignore[type-arg]
    periods = org_selectors.list_periods().order_by("start_on", "-end_on", "key")
    return periods if is_internal(viewer) else Period.objects.none()


def list_currencies(*, viewer: Viewer) -> QuerySet:  # type: ignore[type-arg]
    return sales_selectors.list_currencies(viewer=viewer).order_by("code")


def list_fx_rates(*, viewer: Viewer) -> QuerySet:  # type: ignore[type-arg]
    return (
        sales_selectors.list_fx_rates(viewer=viewer)
        .select_related("currency", "quote_currency")
        .order_by("currency_id", "quote_currency_id", "rate_on")
    )


def list_accounts(*, viewer: Viewer) -> QuerySet:  # type: ignore[type-arg]
    return sales_selectors.list_accounts(viewer=viewer).order_by("external_id")


def list_product_families(*, viewer: Viewer) -> QuerySet:  # type: ignore[type-arg]
    return sales_selectors.list_product_families(viewer=viewer).order_by("code")


def list_products(*, viewer: Viewer) -> QuerySet:  # type: ignore[type-arg]
    return sales_selectors.list_products(viewer=viewer).order_by("sku")


def list_transactions(*, viewer: Viewer) -> QuerySet:  # type: ignore[type-arg]
    return sales_selectors.list_transactions(viewer=viewer).order_by("external_id")


def list_credit_splits(*, viewer: Viewer) -> QuerySet:  # type: ignore[type-arg]
    """The splits of every transaction the viewer sees (all of a transaction's splits, so the
    file sums to 100 per transaction)."""
    visible = sales_selectors.list_transactions(viewer=viewer).values("pk")
    splits: QuerySet[CreditSplit] = sales_selectors.list_splits(transaction_ids=visible)  # type: ignore[arg-type]
    return splits.select_related("transaction", "person").order_by(
        "transaction__external_id", "person__external_id"
    )


def list_quotas(*, viewer: Viewer) -> QuerySet:  # type: ignore[type-arg]
    return quota_selectors.list_quotas(viewer=viewer).order_by(
        "period__start_on", "period__key", "person__external_id", "measure"
    )


def list_territories(*, viewer: Viewer) -> list[Territory]:
    """Parents before children, so the file imports in order."""
    territories = list(territory_selectors.list_territories(viewer=viewer).order_by("code"))
    parent_of = {t.pk: t.parent_id for t in territories}

    def depth(territory: Territory) -> int:
        level, current = 0, territory.parent_id
        while current in parent_of and level < len(parent_of):
            current = parent_of[current]
            level += 1
        return level

    return sorted(territories, key=lambda t: (depth(t), t.code))


def _visible_territory_ids(viewer: Viewer) -> QuerySet:  # type: ignore[type-arg]
    return territory_selectors.list_territories(viewer=viewer).values("pk")


def list_territory_rules(*, viewer: Viewer) -> QuerySet:  # type: ignore[type-arg]
    return (
        TerritoryRule.objects.filter(territory__in=_visible_territory_ids(viewer))
        .select_related("territory")
        .order_by("territory__code", "field", "value")
    )


def list_named_accounts(*, viewer: Viewer) -> QuerySet:  # type: ignore[type-arg]
    accounts = sales_selectors.list_accounts(viewer=viewer).values("pk")
    return (
        NamedAccount.objects.filter(
            territory__in=_visible_territory_ids(viewer), account__in=accounts
        )
        .select_related("territory", "account")
        .order_by("territory__code", "account__external_id")
    )


def list_territory_members(*, viewer: Viewer) -> QuerySet:  # type: ignore[type-arg]
    return (
        TerritoryMember.objects.filter(territory__in=_visible_territory_ids(viewer))
        .select_related("territory", "person")
        .order_by("territory__code", "person__external_id", "effective_from")
    )
