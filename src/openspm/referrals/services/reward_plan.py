"""A program's reward rules as a `kind: referral` plan, run by the engine (docs/plans.md §12).

`plan_text` compiles the rules (fixed amount or a rate of the first deal or first-year value,
tiers by the referrer's number of successful referrals, a referee reward) to a plan document;
`compute` runs it over one referral at its trigger: one input row per rewarded side, the
referrer's n-th success in `referral_count`. Each side has its own payee, so the engine's
payout for that payee is the side's reward, rounded once to the cent (half up).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pyarrow as pa

from openspm import engine
from openspm.referrals.models import Program, ProgramTier, Referral, Reward

CENT = Decimal("0.01")
DEAL_MEASURE = "deal_value"
FIRST_YEAR_MEASURE = "first_year_value"


def _number(value: Decimal) -> str:
    return format(value.normalize(), "f")


def plan_id(program: Program) -> str:
    return ("referral_" + re.sub(r"[^a-z0-9]+", "_", program.slug.lower()).strip("_"))[:64]


@dataclass(frozen=True)
class Band:
    """The referrer's reward from their `start`-th success (to the next band)."""

    start: int
    amount: Decimal | None
    rate: Decimal | None


def bands(program: Program, tiers: list[ProgramTier]) -> list[Band]:
    """The program's rule, then each tier from its `min_successes` on. A tier without the
    kind of value the program uses falls back to its other value (an amount in a rate
    program is a fixed reward), or to the program's."""
    out = {0: Band(0, program.reward_amount, program.reward_rate)}
    for tier in sorted(tiers, key=lambda t: t.min_successes):
        start = 0 if tier.min_successes <= 1 else tier.min_successes
        out[start] = Band(start, tier.reward_amount, tier.reward_rate)
    return [out[k] for k in sorted(out)]


def _component(program: Program, band: Band, end: int | None) -> list[str]:
    conditions = ["side == 'referrer'"]
    if band.start:
        conditions.append(f"referral_count >= {band.start}")
    if end is not None:
        conditions.append(f"referral_count < {end}")
    cid = f"referrer_tier_{band.start}" if band.start else "referrer_reward"
    head = [f"  - id: {cid}", f'    filter: "{" and ".join(conditions)}"']
    amount, rate = band.amount, band.rate
    if amount is None and rate is None:
        amount, rate = program.reward_amount, program.reward_rate
    fixed = program.reward_kind == Program.RewardKind.FIXED
    if (fixed and amount is not None) or rate is None:
        if not amount:
            return []
        return [*head, "    kind: spiff", f"    amount: {_number(amount)}"]
    measure = (
        FIRST_YEAR_MEASURE
        if program.reward_kind == Program.RewardKind.PERCENT_FIRST_YEAR
        else DEAL_MEASURE
    )
    return [
        *head,
        "    kind: commission",
        f"    measure: {measure}",
        f"    rate: {_number(rate)}",
    ]


def plan_text(program: Program, tiers: list[ProgramTier]) -> str:
    """The program's reward rules as a referral plan (YAML)."""
    lines = [
        "schema_version: 1",
        "kind: referral",
        f"id: {plan_id(program)}",
        f"name: {_quoted(program.name)}",
        f"currency: {program.currency}",
        "measures:",
        f"  {DEAL_MEASURE}: {{value: amount}}",
        f'  {FIRST_YEAR_MEASURE}: {{value: "coalesce(first_year_amount, amount)"}}',
        "components:",
    ]
    program_bands = bands(program, tiers)
    for i, band in enumerate(program_bands):
        end = program_bands[i + 1].start if i + 1 < len(program_bands) else None
        lines += _component(program, band, end)
    if program.referee_reward_amount:
        lines += [
            "  - id: referee_reward",
            "    kind: spiff",
            "    filter: \"side == 'referee'\"",
            f"    amount: {_number(program.referee_reward_amount)}",
        ]
    lines += ["pay:", "  frequency: month", "  rounding: {places: 2, mode: half_up}"]
    return "\n".join(lines) + "\n"


def _quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


@dataclass(frozen=True)
class SideReward:
    """What the engine computed for one side of a referral, with its trace."""

    side: str
    amount: Decimal
    rule: str


@dataclass(frozen=True)
class Computed:
    plan_id: str
    plan_fingerprint: str
    run_fingerprint: str
    sides: list[SideReward]


def payee_key(referral: Referral, side: str) -> str:
    if side == Reward.Side.REFEREE:
        return f"referee-{referral.pk}"
    person = referral.referrer.person
    return person.external_id if person is not None else f"referrer-{referral.referrer_id}"


def inputs(*, referral: Referral, on: date, successes: int, sides: list[str]) -> pa.Table:
    """The engine's transactions: one row per side of `referral`, credited on `on`."""
    deal = referral.deal
    rows = [
        {
            "transaction_id": f"R{referral.pk}-{side}",
            "payee_id": payee_key(referral, side),
            "amount": str(referral.deal_amount or Decimal(0)),
            "currency": referral.program.currency,
            "booked_on": on.isoformat(),
            "side": side,
            "referral_count": str(successes + 1),
            "referral_id": str(referral.pk),
            "deal_id": deal.external_id if deal is not None else "",
            "first_year_amount": (
                str(referral.first_year_amount) if referral.first_year_amount is not None else None
            ),
        }
        for side in sides
    ]
    columns = list(rows[0])
    return pa.table({c: pa.array([r[c] for r in rows], pa.string()) for c in columns})


def compute(*, referral: Referral, on: date, successes: int) -> Computed:
    """Run the program's referral plan over `referral` reaching its trigger on `on`, the
    referrer's `successes + 1`-th success. Raises `engine.EngineError` on a bad plan."""
    program = referral.program
    loaded = engine.load_plan_text(
        plan_text(program, list(program.tiers.all())), file=f"{plan_id(program)}.yaml"
    )
    sides = [Reward.Side.REFERRER.value]
    if program.referee_reward_amount:
        sides.append(Reward.Side.REFEREE.value)
    table = inputs(referral=referral, on=on, successes=successes, sides=sides)
    result = engine.run(
        loaded, {"transactions": table}, period=on.strftime("%Y-%m"), as_of=on, threads=1
    )
    paid: dict[str, Decimal] = {}
    for row in result["payouts"].select(["payee_id", "amount"]).to_pylist():
        paid[row["payee_id"]] = paid.get(row["payee_id"], Decimal(0)) + row["amount"]
    rules = {
        row["transaction_id"]: row["component_id"]
        for row in result["earnings"].select(["transaction_id", "component_id"]).to_pylist()
    }
    return Computed(
        plan_id=loaded.plan.id,
        plan_fingerprint=loaded.fingerprint,
        run_fingerprint=result.fingerprint,
        sides=[
            SideReward(
                side=side,
                # The engine rounded the payee's total to the cent: this drops only zeros.
                amount=paid.get(payee_key(referral, side), Decimal(0)).quantize(CENT),
                rule=rules.get(f"R{referral.pk}-{side}", ""),
            )
            for side in sides
        ],
    )
