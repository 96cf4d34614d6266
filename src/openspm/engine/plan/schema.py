"""Strict, frozen Pydantic models of a plan document (STYLE E1).

Every model forbids unknown keys; components and crediting rules are unions discriminated on
``kind``. Numbers are ``Decimal`` (read from their YAML text), never ``float``.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

Number = Annotated[Decimal, Field(max_digits=38, decimal_places=10, allow_inf_nan=False)]
Ident = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]
Expr = Annotated[str, Field(min_length=1, max_length=2000)]

Tiering = Literal["marginal", "retroactive", "interpolated"]
Bounds = Literal["lower_inclusive", "upper_inclusive"]
Accumulate = Literal["per_transaction", "period_to_date", "quarter_to_date", "year_to_date"]
TierBasis = Literal["attainment", "measure", "quantity", "transaction_amount"]
CreditReason = Literal["owner", "split", "overlay", "territory", "rollup", "manual"]
Frequency = Literal["month", "quarter", "year"]
DateField = Literal["booked_on", "closed_on", "invoiced_on", "paid_on"]


class Strict(BaseModel):
    """Base: frozen, unknown keys rejected."""

    model_config = ConfigDict(frozen=True, extra="forbid", strict=False)


# --- crediting -------------------------------------------------------------------------------


class RuleBase(Strict):
    id: Ident | None = None
    filter: Expr | None = None
    allow_double_credit: bool = False


class OwnerRule(RuleBase):
    """Credit the transaction's owner (``payee_id``) at 100 %, unless it has splits."""

    kind: Literal["owner"]


class SplitRule(RuleBase):
    """Credit the rows of the ``splits`` table; each transaction's parts must sum to 100 %."""

    kind: Literal["split"]


class OverlayRule(RuleBase):
    """Extra credit to named specialists, on top of the 100 % split."""

    kind: Literal["overlay"]
    payees: Annotated[list[str], Field(min_length=1)]
    percent: Number = Decimal(1)


class TerritoryRule(RuleBase):
    """Credit the owners of the transaction's territory (``territory_assignments``)."""

    kind: Literal["territory"]
    roles: list[str] | None = None


def _rollup_reasons() -> list[CreditReason]:
    return ["owner", "split", "territory"]


class RollupRule(RuleBase):
    """Copy credits to each manager above the credited payee, as of the credit date."""

    kind: Literal["rollup"]
    levels: Annotated[int, Field(ge=1, le=20)] = 20
    from_reasons: list[CreditReason] = Field(default_factory=_rollup_reasons)


CreditRule = Annotated[
    OwnerRule | SplitRule | OverlayRule | TerritoryRule | RollupRule,
    Field(discriminator="kind"),
]


# --- measures and quotas ---------------------------------------------------------------------


class Measure(Strict):
    """A value per credit: ``value`` (an expression) over credits passing ``filter``."""

    value: Expr = "amount"
    filter: Expr | None = None
    credit_reasons: list[CreditReason] | None = None


class Ramp(Strict):
    """Quota fractions by month of tenure (month 1 = the hire month); later months are 100 %."""

    schedule: Annotated[list[Number], Field(min_length=1)]


# --- components ------------------------------------------------------------------------------


class Tier(Strict):
    """One band ``[from, to)`` (or ``(from, to]``) with a ``rate`` or an ``amount``."""

    from_: Annotated[Number, Field(alias="from")]
    to: Number | None = None
    rate: Number | None = None
    amount: Number | None = None
    label: str | None = None


class Gate(Strict):
    """Pay nothing unless ``measure`` reaches ``min_attainment`` (or ``min_value``)."""

    measure: Ident | None = None
    min_attainment: Number | None = None
    min_value: Number | None = None


class Multiplier(Strict):
    """Multiply the to-date earning by ``factor`` once ``measure`` reaches the threshold."""

    measure: Ident | None = None
    min_attainment: Number | None = None
    min_value: Number | None = None
    factor: Number


class Cap(Strict):
    """The most a component can earn in ``scope``: an amount or a multiple of target incentive."""

    scope: Literal["transaction", "period", "plan_year"] = "period"
    amount: Number | None = None
    ti_multiple: Number | None = None
    excess: Literal["forfeit"] = "forfeit"


class DateWindow(Strict):
    """A half-open date window ``[from, to)``."""

    from_: Annotated[date, Field(alias="from")]
    to: date | None = None


class ComponentBase(Strict):
    id: Ident
    label: str | None = None
    filter: Expr | None = None
    credit_reasons: list[CreditReason] | None = None
    gate: Gate | None = None
    cap: Cap | None = None
    hold: bool = True


class Commission(ComponentBase):
    """A rate on a measure: flat (``rate``) or ``tiers`` with explicit tier math."""

    kind: Literal["commission"]
    measure: Ident
    rate: Number | None = None
    tiers: list[Tier] | None = None
    tiering: Tiering = "marginal"
    tier_basis: TierBasis = "measure"
    bounds: Bounds = "lower_inclusive"
    accumulate: Accumulate = "per_transaction"
    multipliers: list[Multiplier] = Field(default_factory=list)


class Spiff(ComponentBase):
    """A fixed ``amount`` (or a ``rate`` of ``measure``) per qualifying credit in ``window``."""

    kind: Literal["spiff"]
    measure: Ident | None = None
    amount: Number | None = None
    rate: Number | None = None
    window: DateWindow | None = None


class CurvePoint(Strict):
    attainment: Number
    factor: Number


class Curve(Strict):
    """Payout factor by attainment: ``stepped`` (highest point reached) or ``linear``."""

    interpolation: Literal["stepped", "linear"] = "linear"
    points: Annotated[list[CurvePoint], Field(min_length=1)]


class Bonus(ComponentBase):
    """Target bonus × payout curve of the measure's attainment, once per period."""

    kind: Literal["bonus"]
    measure: Ident
    accumulate: Accumulate = "period_to_date"
    target_amount: Number | None = None
    target_ti_fraction: Number | None = None
    curve: Curve
    bounds: Bounds = "lower_inclusive"
    hold: bool = False


class Mbo(ComponentBase):
    """Target amount × Σ weight × score of the payee's scored objectives for the period."""

    kind: Literal["mbo"]
    target_amount: Number | None = None
    target_ti_fraction: Number | None = None
    max_score: Number | None = None
    hold: bool = False


Component = Annotated[Commission | Spiff | Bonus | Mbo, Field(discriminator="kind")]


# --- pay -------------------------------------------------------------------------------------


class Rounding(Strict):
    places: Annotated[int, Field(ge=0, le=6)] | None = None
    mode: Literal["half_up", "half_even"] = "half_up"


class Draw(Strict):
    """A minimum per pay period; ``recoverable`` draws are repaid from later earnings."""

    amount: Number
    recoverable: bool = True
    recovery_limit: Number = Decimal(1)
    ends_on: date | None = None


class Hold(Strict):
    """Hold commission lines until the transaction is invoiced or (pro rata) collected."""

    release: Literal["on_invoice", "on_collection"]


class Clawback(Strict):
    """Reverse pay for deals cancelled within ``window_days`` of their credit date."""

    window_days: Annotated[int, Field(ge=1)]
    method: Literal["full", "prorated"] = "full"
    reduces_attainment: bool = False


class Pay(Strict):
    frequency: Frequency = "quarter"
    rounding: Rounding = Rounding()
    fx_rate_date: Literal["period_end", "period_start"] = "period_end"
    draw: Draw | None = None
    hold: Hold | None = None
    clawback: Clawback | None = None


def _default_crediting() -> list[CreditRule]:
    return [OwnerRule(kind="owner"), SplitRule(kind="split")]


PlanKind = Literal["commission", "referral"]


class Plan(Strict):
    """A versioned compensation plan document.

    ``kind`` is ``commission`` (the default) or ``referral``: a referral program's rewards,
    whose payees are referrers (checks.py restricts what a referral plan may use).
    """

    schema_version: Annotated[int, Field(ge=1, le=1, description="only version 1 exists")]
    kind: PlanKind = "commission"
    id: Ident
    version: Annotated[int, Field(ge=1)] = 1
    name: str | None = None
    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")]
    effective_from: date | None = None
    effective_to: date | None = None
    fiscal_year_start_month: Annotated[int, Field(ge=1, le=12)] = 1
    credit_date: DateField = "booked_on"
    fx_rate_date: DateField | Literal["credit_date"] = "credit_date"
    classify: dict[Ident, Expr] = Field(default_factory=dict)
    crediting: Annotated[list[CreditRule], Field(min_length=1)] = Field(
        default_factory=_default_crediting
    )
    measures: Annotated[dict[Ident, Measure], Field(min_length=1)]
    ramp: Ramp | None = None
    components: Annotated[list[Component], Field(min_length=1)]
    pay: Pay = Pay()
