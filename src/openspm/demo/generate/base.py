"""What every generation step shares: the options, seeded randomness, dates and progress."""

from __future__ import annotations

import bisect
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Generic, TypeVar

from django.db.models import Model
from simple_history.utils import bulk_create_with_history

from openspm.org.fiscal import PeriodSpan, fiscal_periods, fiscal_year_of, fiscal_year_start

T = TypeVar("T")
M = TypeVar("M", bound=Model)
Progress = Callable[[str, int], None]
BATCH_SIZE = 2_000
HISTORY_REASON = "demo company generated"
PAID_QUARTERS = 8  # the demo calculates, approves and publishes the last eight quarters


def create_with_history(model: type[M], objs: list[M]) -> list[M]:
    """`bulk_create` plus one audit history row per object, also in bulk.

    For the reference data people look up in the audit history (the organisation, territories,
    products, quotas); the high-volume tables (accounts, transactions, FX rates) skip it.
    """
    bulk_create_with_history(
        objs, model, batch_size=BATCH_SIZE, default_change_reason=HISTORY_REASON
    )
    return objs


@dataclass(frozen=True)
class Options:
    """How much to generate, from which seed, as of which day (nothing is dated after it)."""

    seed: int
    scale: Decimal
    as_of: date
    fiscal_start_month: int = 1

    def rng(self, step: str) -> random.Random:
        """A generator of its own for each step, so steps do not shift each other's draws."""
        return random.Random(f"openspm-demo:{self.seed}:{step}")

    def count(self, full: int, minimum: int) -> int:
        """`full` scaled, rounded half up, and never below `minimum`."""
        scaled = (Decimal(full) * self.scale).to_integral_value(rounding=ROUND_HALF_UP)
        return max(minimum, int(scaled))

    @property
    def current_fiscal_year(self) -> int:
        return fiscal_year_of(self.as_of, self.fiscal_start_month)

    @property
    def paid_quarters(self) -> list[PeriodSpan]:
        """The last `PAID_QUARTERS` quarters: the one containing `as_of` and those before it."""
        current = self.current_fiscal_year
        spans = [
            span
            for year in range(current - 2, current + 1)
            for span in fiscal_periods(year, self.fiscal_start_month)
            if span.kind == "quarter" and span.start_on <= self.as_of
        ]
        return spans[-PAID_QUARTERS:]

    @property
    def fiscal_years(self) -> tuple[int, ...]:
        """The fiscal years of data: whole years, from the one holding the first of the last
        eight quarters to the current one (last year and this one when `as_of` is in the
        fourth quarter, three years otherwise)."""
        return tuple(range(self.paid_quarters[0].fiscal_year, self.current_fiscal_year + 1))

    @property
    def start(self) -> date:
        """The first day of data: the start of the first fiscal year of data."""
        year, month = fiscal_year_start(self.fiscal_years[0], self.fiscal_start_month)
        return date(year, month, 1)


def days_between(start: date, end: date) -> list[date]:
    """Every day from `start` to `end`, both included."""
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]


def random_day(rng: random.Random, start: date, end: date) -> date:
    """A day in [start, end], uniformly."""
    return start + timedelta(days=rng.randint(0, max(0, (end - start).days)))


class WeightedChoice(Generic[T]):
    """Draws from `items` in proportion to integer `weights`, using integers only."""

    def __init__(self, items: Sequence[T], weights: Sequence[int]) -> None:
        self.items = list(items)
        self.cumulative: list[int] = []
        total = 0
        for weight in weights:
            total += weight
            self.cumulative.append(total)
        self.total = total

    def draw(self, rng: random.Random) -> T:
        return self.items[bisect.bisect_right(self.cumulative, rng.randrange(self.total))]


def allocate(total: int, weights: list[int]) -> list[int]:
    """Split `total` in proportion to `weights`, at least one each (largest remainder)."""
    whole = sum(weights)
    shares = [max(1, total * w // whole) for w in weights]
    order = sorted(range(len(weights)), key=lambda i: (-(total * weights[i] % whole), i))
    for i in order[: max(0, total - sum(shares))]:
        shares[i] += 1
    return shares


def cents_to_decimal(cents: int) -> Decimal:
    """An amount of cents as money with four places, exactly."""
    return (Decimal(cents) / 100).quantize(Decimal("0.0001"))


def round_to(value: int, step: int) -> int:
    """`value` rounded half up to a multiple of `step` (integers only)."""
    return (value + step // 2) // step * step


def fill_pattern(rng: random.Random, pattern: str) -> str:
    """A postal code from a pattern: 9 is a digit, A a capital letter, the rest is kept."""
    out = []
    for char in pattern:
        if char == "9":
            out.append(str(rng.randrange(10)))
        elif char == "A":
            out.append(chr(ord("A") + rng.randrange(26)))
        else:
            out.append(char)
    return "".join(out)
