"""Compile plans into one ordered list of SQL statements (lower → compile, STYLE E3).

Each plan's stages are emitted in pipeline order into temp tables prefixed ``p<i>_``; the
outputs of all plans are unioned into ``out_credits``, ``out_measures``, ``out_earnings`` and
``out_payouts`` with a fixed column order and a deterministic sort.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from openspm.engine import ir
from openspm.engine.compile.context import Ctx, build_calendar
from openspm.engine.compile.dialect import Dialect
from openspm.engine.compile.order import credit_keys, earning_keys, order_keys
from openspm.engine.errors import PlanError
from openspm.engine.plan.loader import LoadedPlan
from openspm.engine.plan.schema import Bonus, Commission, Mbo, Spiff
from openspm.engine.stages import awards, classify, credit, earn, measure, pay, reward
from openspm.engine.stages.common import FAR_FUTURE
from openspm.kernel.periods import Period, parse_period

OUTPUTS: dict[str, list[str]] = {
    "credits": [
        "plan_id",
        "plan_version",
        "credit_id",
        "transaction_id",
        "payee_id",
        "credit_reason",
        "rule_id",
        "source_payee_id",
        "credit_percent",
        "credited_on",
        "period_id",
        "source_amount",
        "source_currency",
        "fx_rate",
        "amount",
        "currency",
    ],
    "measures": [
        "plan_id",
        "plan_version",
        "payee_id",
        "measure_id",
        "accumulate",
        "period_id",
        "period_value",
        "to_date_value",
        "quota_amount",
        "attainment",
    ],
    "earnings": [
        "plan_id",
        "plan_version",
        "payee_id",
        "period_id",
        "component_id",
        "component_kind",
        "line_type",
        "credit_id",
        "transaction_id",
        "credit_reason",
        "measure_id",
        "measure_value",
        "basis_to_date",
        "quota_amount",
        "attainment",
        "tier",
        "rate",
        "multiplier",
        "objective_id",
        "to_date_amount",
        "prior_amount",
        "amount",
        "currency",
    ],
    "payouts": [
        "plan_id",
        "plan_version",
        "payee_id",
        "period_id",
        "component_id",
        "line_type",
        "plan_amount",
        "plan_currency",
        "fx_rate",
        "amount",
        "currency",
        "held_amount",
        "draw_balance_amount",
        "transaction_ids",
        "line_count",
    ],
}
#: output order of the small outputs (credits and earnings: `openspm.engine.compile.order`)
SORT: dict[str, list[str]] = {
    "measures": ["plan_id", "payee_id", "measure_id", "accumulate", "period_id"],
    "payouts": ["plan_id", "payee_id", "period_id", "component_id", "line_type"],
}


@dataclass
class Program:
    """The compiled SQL of a run: statements in order, data checks, output selects."""

    statements: list[tuple[str, str]] = field(default_factory=list)
    views: set[str] = field(default_factory=set)
    checks: list[tuple[str, str]] = field(default_factory=list)
    outputs: dict[str, str] = field(default_factory=dict)

    def script(self, dialect: Dialect) -> str:
        """The whole program as one SQL script (the golden-file form)."""
        parts = [
            (
                dialect.create_view(name, sql)
                if name in self.views
                else dialect.create_table(name, sql)
            )
            + ";"
            for name, sql in self.statements
        ]
        parts += [f"-- output {name}\n{sql};" for name, sql in self.outputs.items()]
        return "\n\n".join(parts) + "\n"


def tx_types(base: dict[str, str], extra: dict[str, str]) -> dict[str, ir.DType]:
    kinds: dict[str, ir.DType] = {
        "string": "string",
        "money": "number",
        "rate": "number",
        "share": "number",
        "date": "date",
    }
    return {name: kinds[kind] for name, kind in {**base, **extra}.items()}


def compile_run(
    plans: list[LoadedPlan], period_id: str, dialect: Dialect, columns: dict[str, str]
) -> Program:
    """Compile ``plans`` for a run of ``period_id`` over transactions with ``columns``."""
    program = Program()
    far = dialect.date_lit(FAR_FUTURE)
    program.statements.append(("hier_closure", credit.hierarchy_closure(dialect.recursive(), far)))
    per_output: dict[str, list[str]] = {name: [] for name in OUTPUTS}
    plan_ids = sorted(loaded.plan.id for loaded in plans)
    for i, loaded in enumerate(plans):
        plan_no = plan_ids.index(loaded.plan.id)
        try:
            run_period: Period = parse_period(period_id, loaded.plan.fiscal_year_start_month)
            cal = build_calendar(loaded, run_period)
        except ValueError as exc:
            raise PlanError(
                f"{loaded.file}: cannot run for {period_id}",
                [loaded.issue(("pay", "frequency"), str(exc))],
            ) from None
        ctx = Ctx(loaded, dialect, cal, f"p{i}_", tx_types({}, columns))
        _compile_plan(ctx, list(columns))
        program.statements += ctx.statements
        program.views |= ctx.views
        program.checks += ctx.checks
        p = ctx.prefix
        per_output["credits"].append(
            f"SELECT c.*, {dialect.str_lit(loaded.plan.id)} AS plan_id, {loaded.plan.version} AS "
            f"plan_version, {dialect.str_lit(loaded.plan.currency)} AS currency, "
            "pt.period_id AS period_id, c.credit_on AS credited_on, "
            f"{credit_keys(ctx, plan_no, 'c', 'k.payee_no')} FROM {p}credits c "
            f"JOIN {p}points pt ON pt.pp = c.pp JOIN {p}payee_keys k ON k.payee_id = c.payee_id "
            "WHERE pt.in_run"
        )
        per_output["measures"].append(
            f"SELECT m.*, {dialect.str_lit(loaded.plan.id)} AS plan_id, {loaded.plan.version} AS "
            f"plan_version FROM {p}mp m WHERE m.in_run"
        )
        per_output["earnings"].append(
            f"SELECT e.*, {dialect.str_lit(loaded.plan.id)} AS plan_id, {loaded.plan.version} AS "
            f"plan_version, {dialect.str_lit(loaded.plan.currency)} AS currency, "
            f"e.kind AS line_type_out, {earning_keys(ctx, plan_no, 'e', 'k.payee_no')} "
            f"FROM {p}earn_all e "
            f"JOIN {p}payee_keys k ON k.payee_id = e.payee_id WHERE e.in_run AND e.amount <> 0"
        )
        per_output["payouts"].append(f"SELECT * FROM {p}payouts")
    for name, cols in OUTPUTS.items():
        sort = SORT.get(name) or order_keys(len(plans))
        keys = [k for k in sort if k not in cols]
        select_cols = ", ".join(
            ("line_type_out AS line_type" if (name, c) == ("earnings", "line_type") else c)
            for c in [*cols, *keys]
        )
        union = "\nUNION ALL ".join(
            f"SELECT {select_cols} FROM ({s}) x{j}" for j, s in enumerate(per_output[name])
        )
        program.outputs[name] = (
            f"SELECT {', '.join(cols)} FROM (\n{union}\n) o ORDER BY "
            + ", ".join(f"{c} NULLS FIRST" for c in sort)
        )
    return program


def _compile_plan(ctx: Ctx, base_columns: list[str]) -> None:
    plan = ctx.plan
    tx = classify.classify(ctx, base_columns)
    pts = measure.points(ctx)
    credits = credit.credit(ctx, tx, "hier_closure")
    mv = measure.measure_values(ctx, tx, credits)
    qrows = measure.quotas(ctx)
    assign = ctx.t("assign")
    active = measure.active_days(ctx, assign, pts)
    uses: list[tuple[str, str]] = []
    for comp in plan.components:
        uses += reward.uses(comp)
    for name in plan.measures:
        uses.append((name, "period_to_date"))
    mp = measure.measure_points(ctx, mv, qrows, assign, pts, uses)
    tables = []
    for k, comp in enumerate(plan.components):
        if isinstance(comp, Commission):
            tables.append(reward.commission(ctx, k, comp, mv, mp, tx, pts))
        elif isinstance(comp, Spiff):
            tables.append(awards.spiff(ctx, k, comp, credits, mv, mp, tx, pts))
        elif isinstance(comp, Bonus):
            tables.append(awards.bonus(ctx, k, comp, mp, active, pts))
        elif isinstance(comp, Mbo):
            tables.append(awards.mbo(ctx, k, comp, mp, active, pts))
    earn_all = earn.earn(ctx, tables, pts)
    lines = pay.pay_lines(ctx, earn_all, tx, pts)
    draw_lines = pay.draws(ctx, lines, active, pts)
    pay.payouts(ctx, lines, draw_lines, pts)
