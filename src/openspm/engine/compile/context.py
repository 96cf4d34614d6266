"""What a plan compiles against: the run calendar, input columns and naming."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from openspm.engine import ir
from openspm.engine.compile.dialect import Dialect
from openspm.engine.plan.loader import LoadedPlan
from openspm.engine.plan.schema import Plan
from openspm.kernel.periods import MONTHS, Period, month_index, period_of

SCOPE_MONTHS = {"per_transaction": 0, "period_to_date": 0, "quarter_to_date": 3, "year_to_date": 12}


@dataclass(frozen=True)
class Calendar:
    """Pay periods of one plan over a run: context periods first, then the run's own.

    Pay periods are numbered absolutely: ``pp = (month_index - (fiscal_start - 1)) // months``.
    """

    fiscal_start_month: int
    freq_months: int
    periods: tuple[Period, ...]
    run_first: int
    context_first: int

    @property
    def run_last(self) -> int:
        return self.context_first + len(self.periods) - 1

    def pp_of(self, on: date) -> int:
        return (month_index(on) - (self.fiscal_start_month - 1)) // self.freq_months

    def index(self, pp: int) -> Period:
        return self.periods[pp - self.context_first]

    @property
    def start(self) -> date:
        return self.periods[0].start

    @property
    def end(self) -> date:
        return self.periods[-1].end


def build_calendar(loaded: LoadedPlan, run_period: Period) -> Calendar:
    """The pay periods a run of ``run_period`` needs for this plan (see DESIGN §2 'true-up')."""
    plan = loaded.plan
    fs = plan.fiscal_year_start_month
    kind = plan.pay.frequency
    if MONTHS[kind] > MONTHS[run_period.kind]:
        raise ValueError(
            f"period {run_period.id} is shorter than plan {plan.id}'s pay period ({kind})"
        )
    first = period_of(run_period.start, kind, fs)
    starts = [first.start]
    need_year = (
        any(c.cap is not None and c.cap.scope == "plan_year" for c in plan.components)
        or plan.pay.hold is not None
    )
    for comp in plan.components:
        months = SCOPE_MONTHS.get(getattr(comp, "accumulate", "per_transaction"), 0)
        if months == 3:
            starts.append(period_of(first.start, "quarter", fs).start)
        elif months == 12:
            need_year = True
    if need_year:
        starts.append(period_of(first.start, "year", fs).start)
    if plan.pay.clawback:
        back = date.fromordinal(first.start.toordinal() - plan.pay.clawback.window_days)
        starts.append(period_of(back, kind, fs).start)
    ctx = period_of(min(starts), kind, fs)
    periods: list[Period] = []
    cur = ctx
    while cur.start < run_period.end:
        periods.append(cur)
        cur = cur.next()
    freq = MONTHS[kind]

    def pp(p: Period) -> int:
        return (month_index(p.start) - (fs - 1)) // freq

    return Calendar(fs, freq, tuple(periods), pp(first), pp(ctx))


@dataclass
class Ctx:
    """Compilation context of one plan."""

    loaded: LoadedPlan
    dialect: Dialect
    cal: Calendar
    prefix: str
    tx_columns: dict[str, ir.DType]
    statements: list[tuple[str, str]] = field(default_factory=list)
    #: columns of a component's line table that hold one literal for all its lines, not
    #: stored (`openspm.engine.stages.lines.add_lines`)
    line_constants: dict[str, dict[str, str]] = field(default_factory=dict)
    checks: list[tuple[str, str]] = field(default_factory=list)
    views: set[str] = field(default_factory=set)

    @property
    def plan(self) -> Plan:
        return self.loaded.plan

    def t(self, name: str) -> str:
        """The temp-table name of ``name`` for this plan."""
        return f"{self.prefix}{name}"

    def add(self, name: str, select: str) -> str:
        table = self.t(name)
        self.statements.append((table, select))
        return table

    def add_view(self, name: str, select: str) -> str:
        """Like :meth:`add`, but not materialised (for a relation read once)."""
        table = self.add(name, select)
        self.views.add(table)
        return table

    def scope_of(self, pp_sql: str, accumulate: str) -> str:
        """SQL of the accumulation-scope index of pay period ``pp_sql``."""
        months = SCOPE_MONTHS[accumulate]
        if months == 0 or months == self.cal.freq_months:
            return pp_sql
        return self.dialect.int_div(f"({pp_sql}) * {self.cal.freq_months}", str(months))
