"""Demo referral data over the demo company: a partner program and a customer program with
realistic funnels (submitted → lead → qualified → opportunity → won | lost, flagged cases,
rewards held, approved and paid). Run after `openspm demo`: `openspm referrals_demo`."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from openspm.core.models import User
from openspm.core.roles import Role
from openspm.org import selectors as org_selectors
from openspm.referrals.models import Program, Referral, Reward
from openspm.referrals.services import funnel, intake, programs, rewards

PREFIXES = ("Blue", "North", "Bright", "Iron", "Silver", "Quantum", "Cedar", "Harbor", "Summit")
SUFFIXES = ("Analytics", "Logistics", "Health", "Foods", "Labs", "Energy", "Media", "Capital")
COUNTRIES = ("US", "US", "US", "GB", "DE", "FR", "CA")


@dataclass(frozen=True)
class DemoSummary:
    programs: int
    referrers: int
    referrals: int
    won: int
    flagged: int
    rewards: int


class DemoNotReady(Exception):
    """The demo company is missing (run `openspm demo` first) or referrals already exist."""


def _actor() -> User:
    actor = (
        User.objects.filter(groups__name=Role.COMP_ADMIN.value).first()
        or User.objects.filter(is_superuser=True).first()
    )
    if actor is None:
        raise DemoNotReady("No comp admin: run `openspm demo` first.")
    return actor


@transaction.atomic
def load(*, seed: int = 42) -> DemoSummary:
    if Program.objects.exists():
        raise DemoNotReady("Referral programs exist already.")
    rng = random.Random(seed)
    actor = _actor()
    now = timezone.now()
    partner_program = programs.save_program(
        actor=actor,
        program=Program(
            slug="partners",
            name="Partner referral program",
            kind=Program.Kind.PARTNER,
            description="Resellers and agencies earn 10 % of the first deal they bring.",
            reward_kind=Program.RewardKind.PERCENT_FIRST_DEAL,
            reward_rate=Decimal("0.10"),
            trigger=Program.Trigger.WON,
            holding_days=30,
            budget_amount=Decimal("250000"),
        ),
    )
    programs.set_tiers(actor=actor, program=partner_program, tiers=[(5, None, Decimal("0.12"))])
    customer_program = programs.save_program(
        actor=actor,
        program=Program(
            slug="customers",
            name="Customer referrals",
            kind=Program.Kind.CUSTOMER,
            description="Refer a company: you get 500, they get 250 off, when it qualifies.",
            reward_kind=Program.RewardKind.FIXED,
            reward_amount=Decimal("500"),
            referee_reward_amount=Decimal("250"),
            trigger=Program.Trigger.QUALIFIED,
            holding_days=14,
            budget_amount=Decimal("20000"),
        ),
    )
    referrers = []
    partner_user = User.objects.filter(groups__name=Role.REFERRAL_PARTNER.value).first()
    if partner_user is not None:
        referrers.append(
            programs.create_referrer(
                program=partner_program,
                name=partner_user.get_full_name() or partner_user.username,
                email=partner_user.email or "partner@channel.example",
                user=partner_user,
                person=org_selectors.get_viewer_person(viewer=partner_user),
            )
        )
    for n, name in enumerate(("Northwind Resellers", "Contoso Digital", "Fabrikam Agency")):
        referrers.append(
            programs.create_referrer(
                program=partner_program, name=name, email=f"alliances@partner{n}.example"
            )
        )
    for n, name in enumerate(("Dana Kim", "Luis Ortega", "Priya Nair", "Tom Becker", "Mia Wong")):
        referrers.append(
            programs.create_referrer(
                program=customer_program,
                name=name,
                email=f"{name.split()[0].lower()}@cust{n}.example",
            )
        )
    referrals = []
    for n in range(60):
        referrer = rng.choice(referrers)
        program = referrer.program
        company = f"{rng.choice(PREFIXES)} {rng.choice(SUFFIXES)} {n}"
        disposable = rng.random() < 0.05
        email = f"buyer{n}@" + ("mailinator.com" if disposable else f"demo-prospect{n}.example")
        referral = intake.submit_referral(
            program=program,
            referrer=referrer,
            ip="",
            sub=intake.Submission(
                referee_name=f"Prospect {n}",
                referee_email=email,
                referee_company=company,
                referee_country=rng.choice(COUNTRIES),
            ),
        )
        submitted = now - timedelta(days=rng.randint(20, 170), hours=rng.randint(0, 23))
        Referral.objects.filter(pk=referral.pk).update(submitted_at=submitted)
        referrals.append((referral, submitted, company))
    won = 0
    for referral, submitted, company in referrals:
        depth = rng.choices(
            ["submitted", "lead", "qualified", "opportunity", "won", "lost"],
            weights=[10, 15, 15, 15, 35, 10],
        )[0]
        at = submitted
        path = ["lead", "qualified", "opportunity", "won"]
        stages = path[: path.index(depth) + 1] if depth in path else []
        if depth == "lost":
            stages = ["lead", "lost"]
        for stage in stages:
            at = min(at + timedelta(days=rng.randint(2, 15)), now)
            amount = Decimal(rng.randrange(8_000, 90_000, 500)) if stage == "won" else None
            funnel.advance(
                actor=actor,
                referral_id=referral.pk,
                update=funnel.StageUpdate(
                    stage=stage,
                    at=at,
                    deal_amount=amount,
                    account={
                        "external_id": f"REF-{referral.pk:05d}",
                        "name": company,
                        "country": referral.referee_country,
                    }
                    if stage == "lead"
                    else None,
                    crm_lead_id=f"L-{referral.pk:05d}" if stage == "lead" else "",
                ),
            )
        won += depth == "won"
    for program in (partner_program, customer_program):  # what the worker's task does
        rewards.compute_due_rewards(program_id=program.pk)
    today = timezone.localdate()
    rewards.approve_due_rewards(actor=actor, today=today)
    for reward in Reward.objects.filter(status=Reward.Status.APPROVED).order_by("pk")[::2]:
        rewards.mark_paid(actor=actor, reward_id=reward.pk)
    return DemoSummary(
        programs=2,
        referrers=len(referrers),
        referrals=len(referrals),
        won=won,
        flagged=Referral.objects.filter(status=Referral.Status.FLAGGED).count(),
        rewards=Reward.objects.count(),
    )
