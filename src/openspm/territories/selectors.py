"""Reads of territories, and which territory an account falls in."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from django.db.models import Prefetch, QuerySet

from openspm.core.access import Viewer, is_internal
from openspm.core.errors import NotFound
from openspm.sales.models import Account
from openspm.territories.models import NamedAccount, Territory, TerritoryMember, TerritoryRule


def list_territories(*, viewer: Viewer, region: str = "") -> QuerySet[Territory]:
    qs = Territory.objects.select_related("parent").prefetch_related(
        "rules",
        Prefetch("members", queryset=TerritoryMember.objects.select_related("person")),
    )
    if region:
        qs = qs.filter(region=region)
    return qs if is_internal(viewer) else qs.none()


def get_territory(*, viewer: Viewer, territory_id: int) -> Territory:
    found = list_territories(viewer=viewer).filter(pk=territory_id).first()
    if found is None:
        raise NotFound("No such territory.")
    return found


def _account_value(account: Account, field: str) -> str:
    if field == TerritoryRule.Field.POSTAL_PREFIX:
        return account.postal_code or ""
    return str(getattr(account, field) or "")


def _matches(account: Account, rules: list[TerritoryRule]) -> bool:
    by_field: dict[str, list[str]] = defaultdict(list)
    for rule in rules:
        by_field[rule.field].append(rule.value)
    if not by_field:
        return False
    for field, values in by_field.items():
        actual = _account_value(account, field).lower()
        if field == TerritoryRule.Field.POSTAL_PREFIX:
            ok = any(actual.startswith(v.lower()) for v in values)
        else:
            ok = actual in {v.lower() for v in values}
        if not ok:
            return False
    return True


def match_territories(*, accounts: list[Account]) -> dict[int, Territory | None]:
    """account id → the territory that owns it (named account, else best rule match).

    Three queries whatever the number of accounts; a tie in priority leaves it unassigned.
    """
    territories = list(Territory.objects.prefetch_related("rules"))
    named = dict(
        NamedAccount.objects.filter(account__in=accounts).values_list("account_id", "territory_id")
    )
    by_id = {t.pk: t for t in territories}
    result: dict[int, Territory | None] = {}
    for account in accounts:
        if account.pk in named:
            result[account.pk] = by_id[named[account.pk]]
            continue
        hits = [t for t in territories if _matches(account, list(t.rules.all()))]
        if not hits:
            result[account.pk] = None
            continue
        best = max(t.priority for t in hits)
        winners = [t for t in hits if t.priority == best]
        result[account.pk] = winners[0] if len(winners) == 1 else None
    return result


def list_owners_on(*, territory_id: int, on: date) -> QuerySet[TerritoryMember]:
    return (
        TerritoryMember.objects.filter(territory_id=territory_id, effective_from__lte=on)
        .exclude(effective_to__lte=on)
        .select_related("person")
    )


def list_named_accounts(*, viewer: Viewer, territory_id: int) -> QuerySet[NamedAccount]:
    """The territory's named accounts that the viewer may see (their owners' accounts)."""
    from openspm.sales import selectors as sales_selectors

    visible_accounts = sales_selectors.list_accounts(viewer=viewer)
    return (
        NamedAccount.objects.filter(territory_id=territory_id, account__in=visible_accounts)
        .select_related("account", "account__owner")
        .order_by("account__name")
    )
