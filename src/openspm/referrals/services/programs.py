"""Programs and referrers: created by comp admins (or by a partner for themself)."""

from __future__ import annotations

import secrets
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from openspm.core.access import Viewer, require_edit
from openspm.core.models import User
from openspm.org import selectors as org_selectors
from openspm.org import services as org_services
from openspm.org.models import Person
from openspm.referrals.models import Program, ProgramTier, Referrer, Reward
from openspm.referrals.services import reward_plan


@transaction.atomic
def save_program(*, actor: Viewer, program: Program) -> Program:
    require_edit(actor)
    program.full_clean()
    reward_plan.check(program, list(program.tiers.all()) if program.pk else [])
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
    reward_plan.check(program, rows)
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


@transaction.atomic
def give_payee_record(*, actor: Viewer, referrer_id: int, on: date | None = None) -> Person:
    """The referrer's ledger identity: the payee their rewards are paid to (through payroll,
    with the comp ledger). Employees already have one (link it in the admin); for an external
    referrer (a partner or customer contact) this creates one, `REF-<referrer id>`, unless
    their login already belongs to a payee. Their approved rewards without a payee take it
    (the next housekeeping posts them to the ledger)."""
    require_edit(actor)
    referrer = Referrer.objects.select_for_update().select_related("program").get(pk=referrer_id)
    if referrer.person_id is None:
        person = org_selectors.get_viewer_person(viewer=referrer.user) if referrer.user else None
        if person is None:
            first, _, last = referrer.name.strip().partition(" ")
            person = org_services.save_person(
                actor=actor,
                person=Person(
                    external_id=f"REF-{referrer.pk:05d}",
                    first_name=first[:100] or "Referrer",
                    last_name=(last or "(referrer)")[:100],
                    email=referrer.email,
                    title=f"External referrer, {referrer.program.name}"[:100],
                    currency=referrer.program.currency,
                    hired_on=on or timezone.localdate(),
                ),
            )
        referrer.person = person
        referrer.save(update_fields=["person", "updated_at"])
    Reward.objects.filter(
        referral__referrer=referrer, side=Reward.Side.REFERRER, payee__isnull=True
    ).update(payee=referrer.person, updated_at=timezone.now())
    return referrer.person  # type: ignore[return-value]
