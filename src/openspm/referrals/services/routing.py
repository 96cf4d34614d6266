"""Which territory owner a referred lead goes to."""

from __future__ import annotations

from datetime import date

from openspm.org.models import Person
from openspm.referrals.models import Referral
from openspm.territories import selectors as territory_selectors


def route_owner(*, referral: Referral, on: date) -> Person | None:
    """The owner of the referee account's territory (named account or rules on country,
    region, postal code); else the account's own owner; None when nothing matches or the
    referee has no account yet (routing runs again when the CRM creates the lead)."""
    account = referral.account
    if account is None:
        return None
    territory = territory_selectors.match_territories(accounts=[account]).get(account.pk)
    if territory is not None:
        owners = [
            m.person
            for m in territory_selectors.list_owners_on(territory_id=territory.pk, on=on)
            if m.role == "owner"
        ]
        if owners:
            return owners[0]
    return account.owner
