"""Small typed factories for tests: real rows in the real database, never mocks."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.contrib.auth.models import Group

from openspm.core.models import User
from openspm.core.roles import Role
from openspm.org.models import Person, ReportingLine
from openspm.org.services import ensure_fiscal_year
from openspm.quotas.models import Quota
from openspm.sales.models import Account, CreditSplit, Currency, Product, ProductFamily, Transaction

_seq = itertools.count(1)
PASSWORD = "correct-horse-battery-staple"


def make_user(*, role: Role | None, username: str | None = None) -> User:
    n = next(_seq)
    user = User.objects.create_user(
        username=username or f"user{n}", password=PASSWORD, first_name="User", last_name=str(n)
    )
    if role is not None:
        # get_or_create: a transactional test's flush also empties the roles a migration made.
        user.groups.add(Group.objects.get_or_create(name=role.value)[0])
    return user


def make_person(
    *,
    external_id: str | None = None,
    first_name: str = "Pat",
    last_name: str | None = None,
    user: User | None = None,
    currency: str = "USD",
    hired_on: date = date(2024, 1, 1),
    title: str = "Account Executive",
) -> Person:
    n = next(_seq)
    return Person.objects.create(
        external_id=external_id or f"E{n:05d}",
        first_name=first_name,
        last_name=last_name or f"Person{n}",
        user=user,
        currency=currency,
        hired_on=hired_on,
        title=title,
    )


def make_line(
    person: Person, manager: Person, start: date = date(2024, 1, 1), end: date | None = None
) -> ReportingLine:
    return ReportingLine.objects.create(
        person=person, manager=manager, effective_from=start, effective_to=end
    )


def make_currency(code: str = "USD") -> Currency:
    return Currency.objects.get_or_create(code=code, defaults={"name": code})[0]


def make_account(*, owner: Person | None = None, **fields: object) -> Account:
    n = next(_seq)
    fields.setdefault("external_id", f"A{n:05d}")
    fields.setdefault("name", f"Account {n}")
    return Account.objects.create(owner=owner, **fields)


def make_product(*, sku: str | None = None, family_code: str = "core") -> Product:
    family = ProductFamily.objects.get_or_create(code=family_code, defaults={"name": family_code})[
        0
    ]
    n = next(_seq)
    return Product.objects.create(sku=sku or f"SKU{n}", name=f"Product {n}", family=family)


def make_transaction(
    *,
    owner: Person,
    amount: Decimal = Decimal("1000.00"),
    currency: str = "USD",
    booked_on: date = date(2026, 1, 15),
    account: Account | None = None,
    splits: dict[Person, Decimal] | None = None,
    **fields: object,
) -> Transaction:
    n = next(_seq)
    tx = Transaction.objects.create(
        external_id=str(fields.pop("external_id", f"T{n:06d}")),
        owner=owner,
        amount=amount,
        currency=make_currency(currency),
        booked_on=booked_on,
        account=account,
        **fields,
    )
    for person, percent in (splits or {}).items():
        CreditSplit.objects.create(transaction=tx, person=person, split_percent=percent)
    return tx


def make_quota(
    *, person: Person, period_key: str = "2026-Q1", amount: Decimal = Decimal("100000")
) -> Quota:
    periods = {p.key: p for p in ensure_fiscal_year(fiscal_year=int(period_key[:4]))}
    return Quota.objects.create(
        person=person, period=periods[period_key], amount=amount, currency=make_currency("USD")
    )


@dataclass
class World:
    """A small company: a VP over two managers; manager 1 has reps 1 and 2, manager 2 rep 3.

    Every role has a login; `users[name]` and `people[name]` index them.
    """

    users: dict[str, User]
    people: dict[str, Person]


def make_world() -> World:
    users = {
        "admin": make_user(role=Role.ADMINISTRATOR, username="admin"),
        "compadmin": make_user(role=Role.COMP_ADMIN, username="compadmin"),
        "finance": make_user(role=Role.FINANCE, username="finance"),
        "vp": make_user(role=Role.MANAGER, username="vp"),
        "manager1": make_user(role=Role.MANAGER, username="manager1"),
        "manager2": make_user(role=Role.MANAGER, username="manager2"),
        "rep1": make_user(role=Role.REP, username="rep1"),
        "rep2": make_user(role=Role.REP, username="rep2"),
        "rep3": make_user(role=Role.REP, username="rep3"),
        "partner": make_user(role=Role.REFERRAL_PARTNER, username="partner"),
    }
    people = {
        name: make_person(
            external_id=name.upper(),
            first_name=name.capitalize(),
            last_name="Test",
            user=users[name],
        )
        for name in ("vp", "manager1", "manager2", "rep1", "rep2", "rep3")
    }
    make_line(people["manager1"], people["vp"])
    make_line(people["manager2"], people["vp"])
    make_line(people["rep1"], people["manager1"])
    make_line(people["rep2"], people["manager1"])
    make_line(people["rep3"], people["manager2"])
    return World(users=users, people=people)
