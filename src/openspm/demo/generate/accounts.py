"""Customer accounts across the regions, each owned by a current owner of its territory."""

from __future__ import annotations

from dataclasses import dataclass

from openspm.demo.generate.base import BATCH_SIZE, Options, Progress, WeightedChoice, fill_pattern
from openspm.demo.generate.data import (
    BANDS,
    COUNTRIES,
    INDUSTRIES,
    NAME_HEADS,
    NAME_TAILS,
    REGION_BY_CODE,
    REGIONS,
    Country,
)
from openspm.demo.generate.staff import Org, Staff
from openspm.demo.generate.territories import NAMED_TERRITORY, Coverage, make_named_accounts, match
from openspm.sales.models import Account


@dataclass
class AccountRow:
    """A saved account with what transactions need to know about it."""

    pk: int
    territory: str | None
    band: str
    country: Country
    owner: Staff | None
    draw: int  # picks its owner among its territory's owners on any day


def make_accounts(
    options: Options, org: Org, coverage: Coverage, progress: Progress
) -> list[AccountRow]:
    rng = options.rng("accounts")
    regions = WeightedChoice([r.code for r in REGIONS], [r.weight for r in REGIONS])
    countries = {
        r.code: WeightedChoice(
            [c for c in COUNTRIES if c.region == r.code],
            [c.weight for c in COUNTRIES if c.region == r.code],
        )
        for r in REGIONS
    }
    industries = WeightedChoice([i for i, _ in INDUSTRIES], [w for _, w in INDUSTRIES])
    bands = WeightedChoice([b[0] for b in BANDS], [b[1] for b in BANDS])
    count = options.count(5_000, 60)
    named_wanted = options.count(40, 2)
    names: set[str] = set()
    accounts: list[Account] = []
    rows: list[tuple[Country, str | None]] = []
    for n in range(count):
        country = countries[regions.draw(rng)].draw(rng)
        name = f"{rng.choice(NAME_HEADS)} {rng.choice(NAME_TAILS)}"
        if name in names:
            name = f"{name} {country.code} {n + 1}"
        names.add(name)
        attributes = {
            "industry": industries.draw(rng),
            "employee_band": bands.draw(rng),
            "country": country.code,
            "region": REGION_BY_CODE[country.region].name,
            "postal_code": fill_pattern(rng, country.postal_format),
        }
        territory = match(attributes)
        named = (
            named_wanted > 0
            and country.region == "NA"
            and attributes["employee_band"] == "strategic"
        )
        if named:
            territory = NAMED_TERRITORY
            named_wanted -= 1
        accounts.append(Account(external_id=f"ACC-{n + 1:05d}", name=name, **attributes))
        rows.append((country, territory))
    draws = [rng.randrange(10_000) for _ in rows]
    owners = [
        _current_owner(options, org, coverage, territory, country.region, draw)
        for (country, territory), draw in zip(rows, draws, strict=True)
    ]
    for account, owner in zip(accounts, owners, strict=True):
        account.owner_id = owner.pk if owner else None
    Account.objects.bulk_create(accounts, batch_size=BATCH_SIZE)
    progress("accounts", len(accounts))
    named_ids = [
        a.pk
        for a, (_, territory) in zip(accounts, rows, strict=True)
        if territory == NAMED_TERRITORY
    ]
    progress("named accounts", make_named_accounts(coverage, named_ids))
    return [
        AccountRow(
            pk=a.pk,
            territory=territory,
            band=a.employee_band,
            country=country,
            owner=owner,
            draw=draw,
        )
        for a, (country, territory), owner, draw in zip(accounts, rows, owners, draws, strict=True)
    ]


def _current_owner(
    options: Options, org: Org, coverage: Coverage, territory: str | None, region: str, draw: int
) -> Staff | None:
    """An owner of the account's territory today, else an account executive of its region."""
    owners = coverage.owners_on(territory, options.as_of) if territory else []
    if not owners:
        owners = [
            s
            for s in org.staff
            if s.region == region and s.kind == "ae" and s.sells_on(options.as_of)
        ]
    return owners[draw % len(owners)] if owners else None
