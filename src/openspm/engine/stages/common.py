"""Helpers shared by the stages: located expressions, literals, overlaps of date ranges."""

from __future__ import annotations

from datetime import date

from openspm.engine import expr, ir
from openspm.engine.compile.context import Ctx
from openspm.engine.compile.sql import ExprCompiler
from openspm.engine.errors import PlanError
from openspm.engine.plan.source import Path

FAR_FUTURE = date(9999, 12, 31)


def typed_expr(
    ctx: Ctx,
    path: Path,
    text: str,
    want: ir.DType | None,
    columns: dict[str, ir.DType] | None = None,
) -> ir.Node:
    """Parse and type-check an expression of the plan, raising a located :class:`PlanError`."""
    loaded = ctx.loaded
    try:
        node = expr.parse(text)
        got = expr.check(node, columns if columns is not None else ctx.tx_columns)
    except expr.ExprError as exc:
        raise PlanError(
            f"{loaded.file}: invalid expression", [loaded.issue(path, str(exc))]
        ) from None
    if want is not None and got not in (want, "null"):
        raise PlanError(
            f"{loaded.file}: invalid expression",
            [loaded.issue(path, f"must be a {want} expression, not {got}")],
        )
    return node


def compiler(ctx: Ctx, alias: str) -> ExprCompiler:
    """An expression compiler whose columns are read from table alias ``alias``."""
    d = ctx.dialect
    return ExprCompiler(d, lambda name: f"{alias}.{d.ident(name)}", ctx.tx_columns)


def open_end(ctx: Ctx, sql: str) -> str:
    """``sql`` with NULL (an open end) replaced by a far-future date."""
    return f"COALESCE({sql}, {ctx.dialect.date_lit(FAR_FUTURE)})"


def overlap_days(ctx: Ctx, a_from: str, a_to: str, b_from: str, b_to: str) -> str:
    """Days in ``[a_from, a_to) ∩ [b_from, b_to)`` (ends already non-NULL) as a decimal."""
    d = ctx.dialect
    days = d.days_between(f"GREATEST({a_from}, {b_from})", f"LEAST({a_to}, {b_to})")
    return f"GREATEST({d.dec(0)}, {days})"


def str_list(ctx: Ctx, values: list[str]) -> str:
    return ", ".join(ctx.dialect.str_lit(v) for v in values)


def values_table(ctx: Ctx, columns: list[str], rows: list[list[str]]) -> str:
    """A ``SELECT`` of literal rows (already rendered SQL) with ``columns``."""
    selects = [
        "SELECT " + ", ".join(f"{v} AS {c}" for v, c in zip(row, columns, strict=True))
        for row in rows
    ]
    return "\nUNION ALL ".join(selects)
