"""Programs and referrers: created by comp admins (or by a partner for themself)."""

from __future__ import annotations

import secrets
from decimal import Decimal

from django.db import transaction

from openspm.core.access import Viewer, require_edit
from openspm.core.models import User
from openspm.org.models import Person
from openspm.referrals.models import Program, ProgramTier, Referrer


@transaction.atomic
def save_program(*, actor: Viewer, program: Program) -> Program:
    require_edit(actor)
    program.full_clean()
    program.save()
    return program


@transaction.atomic
def set_tiers(
    *, actor: Viewer, program: Program, tiers: list[tuple[int, Decimal | None, Decimal | None]]
) -> list[ProgramTier]:
    """Replace the program's tiers: (min_successes, amount, rate) each."""
    require_edit(actor)
    program.tiers.all().delete()
    rows = []
    for min_successes, amount, rate in tiers:
        tier = ProgramTier(
            program=program, min_successes=min_successes, reward_amount=amount, reward_rate=rate
        )
        tier.full_clean()
        rows.append(tier)
    return ProgramTier.objects.bulk_create(rows)


def new_code() -> str:
    """An unguessable code (72 random bits), checked against existing codes."""
    while True:
        code = secrets.token_urlsafe(9)
        if not Referrer.objects.filter(code=code).exists():
            return code


@transaction.atomic
def create_referrer(
    *,
    program: Program,
    name: str,
    email: str,
    user: User | None = None,
    person: Person | None = None,
    address: str = "",
    payment_fingerprint: str = "",
) -> Referrer:
    """A referrer with a fresh code. Callers check who may create it (see `enrol`)."""
    referrer = Referrer(
        program=program,
        code=new_code(),
        name=name,
        email=email.strip().lower(),
        user=user,
        person=person,
        address=address,
        payment_fingerprint=payment_fingerprint,
    )
    referrer.full_clean()
    referrer.save()
    return referrer


@transaction.atomic
def enrol(*, actor: Viewer, program: Program, name: str, email: str, **fields: object) -> Referrer:
    """A comp admin enrols someone as a referrer of a program."""
    require_edit(actor)
    return create_referrer(program=program, name=name, email=email, **fields)  # type: ignore[arg-type]
