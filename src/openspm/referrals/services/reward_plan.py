"""A program's reward rules as a `kind: referral` plan, run by the engine (docs/plans.md §12).

`plan_text` compiles the rules (fixed amount or a rate of the first deal or first-year value,
tiers by the referrer's number of successful referrals, a referee reward) to a plan document;
`compute` runs it over the referrals that reached their trigger, in one batch (one engine run
per calendar year of trigger dates): one input row per rewarded side, the referrer's n-th
success in `referral_count`. Each side's reward is its earning line, rounded once, to the
currency's minor unit in the plan's rounding mode (half up).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pyarrow as pa

from openspm import engine
from openspm.kernel.money import minor_unit, quantize
from openspm.referrals.errors import RewardRulesInvalid
from openspm.referrals.models import Program, ProgramTier, Referral, Reward

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
    lines += ["pay:", "  frequency: month", "  rounding: {mode: half_up}"]
    return "\n".join(lines) + "\n"


def _quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def check(program: Program, tiers: list[ProgramTier]) -> None:
    """Refuse reward rules that make no valid referral plan (say a rate with more than six
    decimal places), with every problem the plan validator finds."""
    try:
        engine.load_plan_text(plan_text(program, tiers), file=f"{plan_id(program)}.yaml")
    except engine.EngineError as error:
        raise RewardRulesInvalid(f"The reward rules make no valid referral plan: {error}") from None


@dataclass(frozen=True)
class Due:
    """A referral that reached its trigger `on`, as its referrer's `ordinal`-th success."""

    referral: Referral
    on: date
    ordinal: int


@dataclass(frozen=True)
class SideReward:
    """What the engine computed for one side of a referral, with its trace."""

    referral_id: int
    side: str
    amount: Decimal
    rule: str
    run_fingerprint: str


@dataclass(frozen=True)
class Computed:
    plan_id: str
    plan_fingerprint: str
    rewards: list[SideReward]


def payee_key(referral: Referral, side: str) -> str:
    if side == Reward.Side.REFEREE:
        return f"referee-{referral.pk}"
    person = referral.referrer.person
    return person.external_id if person is not None else f"referrer-{referral.referrer_id}"


def sides_of(program: Program) -> list[str]:
    sides = [Reward.Side.REFERRER.value]
    if program.referee_reward_amount:
        sides.append(Reward.Side.REFEREE.value)
    return sides


def inputs(*, program: Program, due: list[Due]) -> pa.Table:
    """The engine's transactions: one row per rewarded side of each due referral."""
    rows = []
    for item in due:
        referral, deal = item.referral, item.referral.deal
        for side in sides_of(program):
            rows.append(
                {
                    "transaction_id": f"R{referral.pk}-{side}",
                    "payee_id": payee_key(referral, side),
                    "amount": str(referral.deal_amount or Decimal(0)),
                    "currency": program.currency,
                    "booked_on": item.on.isoformat(),
                    "side": side,
                    "referral_count": str(item.ordinal),
                    "referral_id": str(referral.pk),
                    "deal_id": deal.external_id if deal is not None else "",
                    "first_year_amount": (
                        str(referral.first_year_amount)
                        if referral.first_year_amount is not None
                        else None
                    ),
                }
            )
    columns = list(rows[0])
    return pa.table({c: pa.array([r[c] for r in rows], pa.string()) for c in columns})


def compute(*, program: Program, due: list[Due]) -> Computed:
    """Run the program's referral plan over the `due` referrals: one engine run per calendar
    year of their trigger dates (monthly pay periods). Each side's reward is its earning,
    rounded once to the currency's minor unit in the plan's rounding mode. Raises
    `engine.EngineError` when the rules make no valid plan."""
    loaded = engine.load_plan_text(
        plan_text(program, list(program.tiers.all())), file=f"{plan_id(program)}.yaml"
    )
    mode = loaded.plan.pay.rounding.mode
    places = minor_unit(program.currency)
    by_year: dict[int, list[Due]] = defaultdict(list)
    for item in due:
        by_year[item.on.year].append(item)
    out: list[SideReward] = []
    for year, items in sorted(by_year.items()):
        result = engine.run(
            loaded,
            {"transactions": inputs(program=program, due=items)},
            period=str(year),
            as_of=max(i.on for i in items),
            threads=1,
        )
        earned: dict[str, Decimal] = defaultdict(Decimal)
        rules: dict[str, str] = {}
        earnings = result["earnings"].select(["transaction_id", "component_id", "amount"])
        for row in earnings.to_pylist():
            earned[row["transaction_id"]] += row["amount"]
            rules[row["transaction_id"]] = row["component_id"]
        for item in items:
            for side in sides_of(program):
                key = f"R{item.referral.pk}-{side}"
                out.append(
                    SideReward(
                        referral_id=item.referral.pk,
                        side=side,
                        amount=quantize(earned.get(key, Decimal(0)), places, mode),
                        rule=rules.get(key, ""),
                        run_fingerprint=result.fingerprint,
                    )
                )
    return Computed(plan_id=loaded.plan.id, plan_fingerprint=loaded.fingerprint, rewards=out)
