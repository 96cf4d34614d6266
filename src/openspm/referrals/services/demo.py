"""Demo referral data over the demo company: a partner program and a customer program with
realistic funnels (submitted → lead → qualified → opportunity → won | lost, flagged cases,
rewards held, approved and paid), and an employee program whose referrers are the demo's
employees with a login (the `rep` first): their rewards released by `today` are approved and
posted to the comp ledger (`rewards.approve_due_rewards` → `comp.services.referral_ledger`)
into the open quarter of `today`, so they show on the rep's statement, in its *Referral
rewards* section, and in the payroll and GL exports. `openspm demo` loads it after paying the
quarters; `openspm referrals_demo` loads it into a demo made without it."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from openspm.core.models import User
from openspm.core.roles import Role
from openspm.kernel.periods import fiscal_year_of
from openspm.org import selectors as org_selectors
from openspm.org import services as org_services
from openspm.org.models import Person
from openspm.referrals.models import Program, Referral, Referrer, Reward
from openspm.referrals.services import funnel, intake, programs, rewards

PREFIXES = ("Blue", "North", "Bright", "Iron", "Silver", "Quantum", "Cedar", "Harbor", "Summit")
SUFFIXES = ("Analytics", "Logistics", "Health", "Foods", "Labs", "Energy", "Media", "Capital")
COUNTRIES = ("US", "US", "US", "GB", "DE", "FR", "CA")
# The employee program's referrals: (referrer: index into the employees with a login, rep
# first; company; the stage reached; days before today it reached it; the deal). Reaching won
# more than the 30 holding days ago releases the reward, so today's approval posts it.
EMPLOYEE_REFERRALS: tuple[tuple[int, str, str, int, Decimal | None], ...] = (
    (0, "Kestrel Freight", "won", 75, Decimal("42000")),
    (0, "Wren Dental", "won", 45, Decimal("18500")),
    (0, "Marlow Biotech", "won", 9, Decimal("64000")),  # the third success: 1,500, held
    (0, "Osprey Aviation", "qualified", 4, None),
    (1, "Heron Textiles", "won", 60, Decimal("27000")),
    (1, "Fjord Shipping", "lost", 20, None),
    (2, "Tamarind Hotels", "opportunity", 12, None),
)
EMPLOYEE_ROLES = (Role.REP.value, Role.MANAGER.value)


@dataclass(frozen=True)
class DemoSummary:
    programs: int
    referrers: int
    referrals: int
    won: int
    flagged: int
    rewards: int
    posted: int  # referrer rewards in the comp ledger (approved adjustments of source referral)


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


def _employees() -> list[tuple[User, Person]]:
    """Employees with a login (reps first, then managers, each by username) and their payee."""
    found: list[tuple[User, Person]] = []
    for role in EMPLOYEE_ROLES:
        people = (
            Person.objects.filter(user__is_active=True, user__groups__name=role)
            .exclude(pk__in=[person.pk for _, person in found])
            .select_related("user")
            .order_by("user__username")
        )
        found += [(person.user, person) for person in people if person.user is not None]
    return found


def _employee_program(*, actor: User, now: datetime) -> list[tuple[Referral, datetime, str]]:
    """The employee program, its referrers (the employees with a login) and their referrals
    (EMPLOYEE_REFERRALS), moved through the funnel; none without such employees."""
    employees = _employees()
    if not employees:
        return []
    program = programs.save_program(
        actor=actor,
        program=Program(
            slug="employees",
            name="Employee referrals",
            kind=Program.Kind.EMPLOYEE,
            description="Refer a company you know: 1,000 when it signs, 1,500 from your third "
            "signed referral, paid with your commissions.",
            reward_kind=Program.RewardKind.FIXED,
            reward_amount=Decimal("1000"),
            currency=employees[0][1].currency,
            trigger=Program.Trigger.WON,
            holding_days=30,
            budget_amount=Decimal("50000"),
        ),
    )
    programs.set_tiers(actor=actor, program=program, tiers=[(3, Decimal("1500"), None)])
    referrers: list[Referrer] = [
        programs.create_referrer(
            program=program,
            name=user.get_full_name() or person.full_name,
            email=user.email or person.email or f"{user.username}@demo.example.com",
            user=user,
            person=person,
        )
        for user, person in employees
    ]
    made = []
    for n, (who, company, stage, days_ago, deal) in enumerate(EMPLOYEE_REFERRALS):
        if who >= len(referrers):
            continue
        slug = company.lower().replace(" ", "-")
        referral = intake.submit_referral(
            program=program,
            referrer=referrers[who],
            ip="",
            sub=intake.Submission(
                referee_name=f"Contact {n} at {company}",
                referee_email=f"buyer@{slug}.example",
                referee_company=company,
                referee_country="US",
            ),
        )
        reached = now - timedelta(days=days_ago)
        submitted = reached - timedelta(days=24)
        Referral.objects.filter(pk=referral.pk).update(submitted_at=submitted)
        path = ["lead", "qualified", "opportunity", "won"]
        stages = path[: path.index(stage) + 1] if stage in path else ["lead", "lost"]
        for step, name in enumerate(stages, start=1):
            at = submitted + (reached - submitted) * step / len(stages)
            funnel.advance(
                actor=actor,
                referral_id=referral.pk,
                update=funnel.StageUpdate(
                    stage=name,
                    at=at,
                    deal_amount=deal if name == "won" else None,
                    account={"external_id": f"REF-E{referral.pk:04d}", "name": company}
                    if name == "lead"
                    else None,
                    crm_lead_id=f"L-{referral.pk:05d}" if name == "lead" else "",
                ),
            )
        made.append((referral, submitted, company))
    return made


@transaction.atomic
def load(*, seed: int = 42, today: date | None = None) -> DemoSummary:
    """The demo's referral programs, as if today were `today` (default: today): referrals
    over the six months before it, rewards released by then approved (and the employees'
    posted to the comp ledger in the open period of `today`), half the rest marked paid."""
    if Program.objects.exists():
        raise DemoNotReady("Referral programs exist already.")
    rng = random.Random(seed)
    actor = _actor()
    if today is None:
        now, today = timezone.now(), timezone.localdate()
    else:
        now = timezone.make_aware(datetime.combine(today, time(12)))
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
    employee_referrals = _employee_program(actor=actor, now=now)
    won += sum(r.stage == Referral.Stage.WON for r, _, _ in employee_referrals)
    for program in Program.objects.order_by("pk"):  # what the worker's task does
        rewards.compute_due_rewards(program_id=program.pk)
    # Approving posts the employees' rewards into the open period of today: make sure the
    # fiscal year has its periods (the demo company has them already).
    org_services.ensure_fiscal_year(
        fiscal_year=fiscal_year_of(today, org_selectors.get_calendar().start_month)
    )
    rewards.approve_due_rewards(actor=actor, today=today)
    # Rewards outside the ledger are paid by hand (Mark paid); the ledger's go through payroll.
    approved = Reward.objects.filter(status=Reward.Status.APPROVED, ledger_line__isnull=True)
    for reward in approved.order_by("pk")[::2]:
        rewards.mark_paid(actor=actor, reward_id=reward.pk)
    return DemoSummary(
        programs=Program.objects.count(),
        referrers=Referrer.objects.count(),
        referrals=len(referrals) + len(employee_referrals),
        won=won,
        flagged=Referral.objects.filter(status=Referral.Status.FLAGGED).count(),
        rewards=Reward.objects.count(),
        posted=Reward.objects.filter(ledger_line__isnull=False).count(),
    )
