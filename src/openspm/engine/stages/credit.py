"""Credit: who gets credit for what, each row tagged with its ``credit_reason``.

Rules run in plan order: ``owner`` (unless the transaction has splits), ``split``, ``overlay``,
``territory`` and ``rollup`` (to every manager above a credited payee, over the hierarchy as of
the credit date). A rule with ``allow_double_credit: false`` adds no row for a payee who already
has credit on that transaction from an earlier rule. Credits count for a payee only while they
are assigned to the plan and not terminated.
"""

from __future__ import annotations

from collections.abc import Sequence

from openspm.engine.compile.context import Ctx
from openspm.engine.compile.dialect import S_SHARE
from openspm.engine.compile.sql import bool_filter
from openspm.engine.plan.schema import (
    CreditRule,
    OverlayRule,
    OwnerRule,
    RollupRule,
    SplitRule,
    TerritoryRule,
)
from openspm.engine.stages.common import compiler, open_end, str_list, typed_expr

#: a credit that is no roll-up's
_NO_SOURCE = "CAST(NULL AS VARCHAR) AS source_payee_id, CAST(NULL AS BIGINT) AS source_rule"
#: ranks of source payees stay below this (2³¹ payees)
SOURCE_SPAN = 2**31

_COLS = (
    "transaction_id, tx_no, payee_id, credit_reason, rule_id, rule_index, credit_percent, "
    "source_payee_id, source_rule"
)


def hierarchy_closure(dialect_recursive: str, far: str) -> str:
    """Every (payee, manager above, depth) with the dates the whole chain was valid."""
    return (
        f"{dialect_recursive} chain(payee_id, manager_id, depth, valid_from, valid_to) AS (\n"
        f"  SELECT payee_id, manager_id, 1, effective_from, COALESCE(effective_to, {far})\n"
        "  FROM in_hierarchy\n"
        "  UNION ALL\n"
        "  SELECT c.payee_id, h.manager_id, c.depth + 1, GREATEST(c.valid_from, h.effective_from),"
        f"\n    LEAST(c.valid_to, COALESCE(h.effective_to, {far}))\n"
        "  FROM chain c JOIN in_hierarchy h ON h.payee_id = c.manager_id\n"
        f"    AND h.effective_from < c.valid_to AND COALESCE(h.effective_to, {far}) > "
        "c.valid_from\n"
        "  WHERE c.depth < 20\n"
        ")\nSELECT payee_id, manager_id, depth, valid_from, valid_to FROM chain "
        "WHERE valid_from < valid_to"
    )


def credit(ctx: Ctx, tx: str, closure: str) -> str:
    """Emit the plan's credits; returns the credits table name."""
    d, plan = ctx.dialect, ctx.plan
    has_split_rule = any(isinstance(r, SplitRule) for r in plan.crediting)
    rule_tables: list[str] = []
    for i, rule in enumerate(plan.crediting):
        rid = d.str_lit(rule.id or f"{rule.kind}_{i + 1}")
        node = (
            typed_expr(ctx, ("crediting", i, "filter"), rule.filter, "bool")
            if rule.filter
            else None
        )
        where = bool_filter(compiler(ctx, "t"), node)
        head = "SELECT t.transaction_id, t.tx_no, "
        tail = f", {rid} AS rule_id, {i} AS rule_index"
        if isinstance(rule, OwnerRule):
            anti = (
                "LEFT JOIN (SELECT DISTINCT transaction_id FROM in_splits) s "
                "ON s.transaction_id = t.transaction_id\n"
                if has_split_rule
                else ""
            )
            cond = " AND s.transaction_id IS NULL" if has_split_rule else ""
            sql = (
                f"{head}t.payee_id, 'owner' AS credit_reason{tail}, {d.at(1, S_SHARE)} AS "
                f"credit_percent, {_NO_SOURCE}\n"
                f"FROM {tx} t\n{anti}WHERE t.payee_id IS NOT NULL{cond} "
                f"AND {where}"
            )
        elif isinstance(rule, SplitRule):
            sql = (
                f"{head}s.payee_id, 'split' AS credit_reason{tail}, s.split_percent AS "
                f"credit_percent, {_NO_SOURCE}\n"
                f"FROM {tx} t JOIN in_splits s ON s.transaction_id = "
                f"t.transaction_id\nWHERE {where}"
            )
        elif isinstance(rule, OverlayRule):
            payees = "\nUNION ALL ".join(f"SELECT {d.str_lit(p)} AS payee_id" for p in rule.payees)
            sql = (
                f"{head}o.payee_id, 'overlay' AS credit_reason{tail}, "
                f"{d.at(d.dec_lit(rule.percent), S_SHARE)} AS credit_percent, "
                f"{_NO_SOURCE}\n"
                f"FROM {tx} t CROSS JOIN (\n"
                f"{payees}\n) o\nWHERE {where}"
            )
        elif isinstance(rule, TerritoryRule):
            roles = f" AND a.role IN ({str_list(ctx, rule.roles)})" if rule.roles else ""
            sql = (
                f"{head}a.payee_id, 'territory' AS credit_reason{tail}, "
                f"COALESCE(a.split_percent, {d.at(1, S_SHARE)}) AS credit_percent, "
                f"{_NO_SOURCE}\n"
                f"FROM {tx} t JOIN in_territory_assignments a ON a.territory_id = "
                f"t.territory_id\n  AND a.effective_from <= t.credit_on AND t.credit_on < "
                f"{open_end(ctx, 'a.effective_to')}{roles}\nWHERE {where}"
            )
        else:
            assert isinstance(rule, RollupRule)
            base = "\nUNION ALL ".join(f"SELECT {_COLS} FROM {t}" for t in rule_tables)
            sql = (
                f"{head}h.manager_id AS payee_id, 'rollup' AS credit_reason{tail}, "
                "b.credit_percent, b.payee_id AS source_payee_id, b.rule_index AS source_rule\n"
                f"FROM (\n{base}\n) b\nJOIN {tx} t ON t.tx_no = b.tx_no\n"
                f"JOIN {closure} h ON h.payee_id = b.payee_id AND h.valid_from <= t.credit_on"
                f" AND t.credit_on < h.valid_to AND h.depth <= {rule.levels}\n"
                f"WHERE b.credit_reason IN ({str_list(ctx, list(rule.from_reasons))}) "
                f"AND {where}"
            )
        rule_tables.append(ctx.add(f"rule_{i}", sql))
    raw = ctx.add("credits_raw", _without_double_credit(plan.crediting, rule_tables))
    assign = _assignments(ctx, raw)
    # every payee of the outputs: credited (a roll-up's source was credited by an earlier rule)
    # or assigned (bonus and MBO lines); ranked as their ids sort, to order the outputs
    keys = ctx.add(
        "payee_keys",
        (
            "SELECT payee_id, ROW_NUMBER() OVER (ORDER BY payee_id) AS payee_no FROM (\n"
            f"  SELECT payee_id FROM {raw} UNION SELECT payee_id FROM {assign}\n) k"
        ),
    )
    cid = d.concat(
        "c.transaction_id",
        "'/'",
        "c.payee_id",
        "'/'",
        "c.rule_index",
        "'/'",
        "COALESCE(c.source_payee_id, '')",
    )
    table = ctx.add(
        "credits",
        (
            # the plan's id, version and currency are added by the output, not stored 4M times
            f"SELECT {cid} AS credit_id, c.transaction_id, c.payee_id, c.credit_reason, "
            "c.rule_id, c.rule_index, "
            "c.source_payee_id, c.credit_percent, t.credit_on, t.pp, t.source_amount, "
            f"t.source_currency, t.fx_rate, {d.mul('t.amount', 'c.credit_percent')} AS amount, "
            "t.cancel_pp, t.claw_factor, t.tx_no, "
            f"{credit_key(plan.crediting, 'c')} AS credit_key\n"
            f"FROM {raw} c JOIN {tx} t ON t.tx_no = c.tx_no\n"
            f"JOIN {assign} a ON a.payee_id = c.payee_id AND a.effective_from <= t.credit_on "
            "AND t.credit_on < a.effective_to\n"
            f"LEFT JOIN {keys} sk ON sk.payee_id = c.source_payee_id"
        ),
    )
    ctx.checks.append(
        (
            f"SELECT a.payee_id FROM {assign} a JOIN {assign} b ON a.payee_id = b.payee_id AND "
            "a.effective_from < b.effective_from AND b.effective_from < a.effective_to "
            "ORDER BY 1 LIMIT 1",
            f"plan_assignments: payee {{0}} has overlapping assignments to plan {plan.id!r}",
        )
    )
    ctx.checks.append(
        (
            "SELECT transaction_id, CAST(SUM(split_percent) AS VARCHAR) FROM in_splits "
            f"WHERE transaction_id IN (SELECT transaction_id FROM {tx}) GROUP BY transaction_id "
            f"HAVING SUM(split_percent) <> 1 ORDER BY transaction_id LIMIT 1",
            "splits: the split_percent of transaction {0} sum to {1}, not 1 (100 %)",
        )
    )
    ctx.checks.append(
        (
            "SELECT transaction_id, payee_id FROM in_splits GROUP BY transaction_id, payee_id "
            "HAVING COUNT(*) > 1 ORDER BY 1, 2 LIMIT 1",
            "splits: transaction {0} lists payee {1} twice",
        )
    )
    return table


def credit_key(rules: Sequence[CreditRule], alias: str) -> str:
    """With the transaction and the payee, tells a payee's credits of one transaction apart,
    in the order of their ``credit_id`` text (``tx/payee/rule/source``): the rule's index
    ranked as text, the source payee's rank (``sk.payee_no``, 0 for none), then the rule of
    the source's credit (a roll-up of a payee credited twice on one transaction)."""
    n = len(rules)
    as_text = sorted(range(n), key=str)
    rank = " ".join(f"WHEN {i} THEN {as_text.index(i)}" for i in range(n))
    return (
        f"((CASE {alias}.rule_index {rank} END) * {SOURCE_SPAN} + COALESCE(sk.payee_no, 0)) * "
        f"{n} + COALESCE(CASE {alias}.source_rule {rank} END, 0)"
    )


def _without_double_credit(rules: Sequence[CreditRule], tables: list[str]) -> str:
    """Every rule's credits, less those of a rule without ``allow_double_credit`` for a payee
    an earlier rule already credited on the transaction (an anti-join on integer keys: a
    window over all credits cost three times as much)."""
    parts = []
    for i, (rule, table) in enumerate(zip(rules, tables, strict=True)):
        select = f"SELECT {_COLS} FROM {table} r"
        if i and not rule.allow_double_credit:
            earlier = "\n  UNION ALL ".join(f"SELECT tx_no, payee_id FROM {t}" for t in tables[:i])
            select += (
                f"\nWHERE NOT EXISTS (SELECT 1 FROM (\n  {earlier}\n) e "
                "WHERE e.tx_no = r.tx_no AND e.payee_id = r.payee_id)"
            )
        parts.append(select)
    return "\nUNION ALL\n".join(parts)


def _assignments(ctx: Ctx, raw: str) -> str:
    """Plan assignments ∩ the plan's effective range; everyone when none is given."""
    d, plan = ctx.dialect, ctx.plan
    pid = d.str_lit(plan.id)
    lo = d.date_lit(plan.effective_from) if plan.effective_from else "DATE '0001-01-01'"
    hi = d.date_lit(plan.effective_to) if plan.effective_to else open_end(ctx, "NULL")
    explicit = (
        f"SELECT payee_id, effective_from, {open_end(ctx, 'effective_to')} AS "
        f"effective_to FROM in_plan_assignments WHERE plan_id = {pid}"
    )
    everyone = (
        f"SELECT payee_id, {lo} AS effective_from, {hi} AS effective_to FROM (\n"
        "  SELECT payee_id FROM in_payees UNION SELECT payee_id FROM "
        + raw
        + "\n  UNION SELECT payee_id FROM in_quotas UNION SELECT payee_id FROM in_mbo_scores\n) x\n"
        f"WHERE NOT EXISTS (SELECT 1 FROM in_plan_assignments WHERE plan_id = {pid})"
    )
    end = f"LEAST(a.effective_to, {hi}, {open_end(ctx, 'pe.terminated_on')})"
    return ctx.add(
        "assign",
        (
            f"SELECT a.payee_id, GREATEST(a.effective_from, {lo}) AS effective_from, {end} AS "
            f"effective_to FROM (\n{explicit}\nUNION ALL\n{everyone}\n) a\n"
            "LEFT JOIN in_payees pe ON pe.payee_id = a.payee_id\n"
            f"WHERE GREATEST(a.effective_from, {lo}) < {end}"
        ),
    )
