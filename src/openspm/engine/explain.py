"""``calc explain``: a payee's payout in words and numbers, read back from a run's CSV files."""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pyarrow.parquet as pq

from openspm.engine.errors import EngineError
from openspm.engine.outputs import MANIFEST, decimal_text
from openspm.kernel.money import D


def read_rows(outdir: Path, name: str) -> list[dict[str, str]]:
    """Rows of ``<outdir>/<name>.csv`` (or ``.parquet``) as dicts of text, as CSV would give
    them (empty when the file is missing)."""
    if not outdir.is_dir():
        raise EngineError(f"{outdir}: not a run output folder")
    path = outdir / f"{name}.csv"
    if path.exists():
        with path.open(newline="", encoding="utf-8") as fh:
            return list(csv.DictReader(fh))
    parquet = outdir / f"{name}.parquet"
    if not parquet.exists():
        return []
    table = pq.read_table(parquet)
    text = {n: decimal_text(table[n]).to_pylist() for n in table.column_names}
    return [
        {n: "" if v is None else str(v) for n, v in zip(text, values, strict=True)}
        for values in zip(*text.values(), strict=True)
    ]


def read_fingerprint(outdir: Path) -> str:
    """The run's fingerprint, from its manifest (``run.json``)."""
    try:
        manifest = json.loads((outdir / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise EngineError(f"{outdir}: no readable {MANIFEST} ({exc})") from None
    return str(manifest["fingerprint"])


def num(text: str | None) -> Decimal:
    return D(text) if text else Decimal(0)


def fmt(value: Decimal) -> str:
    """``16000`` → ``16,000.00``."""
    return f"{value:,.2f}"


def pct(value: Decimal) -> str:
    return f"{(value * 100).normalize():f} %"


def explain(outdir: Path, payee: str) -> str:
    """A multi-line explanation of ``payee``'s payouts in the run at ``outdir``."""
    payouts = [r for r in read_rows(outdir, "payouts") if r["payee_id"] == payee]
    earnings = [r for r in read_rows(outdir, "earnings") if r["payee_id"] == payee]
    measures = [r for r in read_rows(outdir, "measures") if r["payee_id"] == payee]
    if not payouts and not earnings:
        raise EngineError(f"{outdir}: no payouts or earnings for payee {payee!r}")
    fp = read_fingerprint(outdir)[:12]
    lines = [f"Payee {payee} (run {fp})"]
    by_period: dict[tuple[str, str], list[dict[str, str]]] = defaultdict(list)
    for row in payouts:
        by_period[(row["plan_id"], row["period_id"])].append(row)
    for (plan_id, period_id), rows in sorted(by_period.items()):
        total = sum((num(r["amount"]) for r in rows), Decimal(0))
        ccy = rows[0]["currency"]
        lines.append(
            f"\nPlan {plan_id} v{rows[0]['plan_version']}, period {period_id}: "
            f"payout {fmt(total)} {ccy}"
        )
        for m in measures:
            if m["plan_id"] == plan_id and m["period_id"] == period_id and m["quota_amount"]:
                lines.append(
                    f"  {m['measure_id']} ({m['accumulate']}): {fmt(num(m['to_date_value']))}"
                    f" against quota {fmt(num(m['quota_amount']))} = attainment "
                    f"{pct(num(m['attainment']))}"
                )
        for r in sorted(rows, key=lambda r: (r["component_id"], r["line_type"])):
            what = r["component_id"] or r["line_type"]
            conv = ""
            if r["plan_currency"] != r["currency"] and r["fx_rate"]:
                conv = f" ({fmt(num(r['plan_amount']))} {r['plan_currency']} × {r['fx_rate']})"
            held = f", {fmt(num(r['held_amount']))} held" if num(r["held_amount"]) else ""
            bal = (
                f", draw balance {fmt(num(r['draw_balance_amount']))}"
                if r["draw_balance_amount"]
                else ""
            )
            lines.append(
                f"  {r['line_type']:<9} {what}: {fmt(num(r['amount']))} {r['currency']}"
                f"{conv}{held}{bal}"
            )
            for e in earnings:
                if (e["plan_id"], e["period_id"], e["component_id"]) != (
                    plan_id,
                    period_id,
                    r["component_id"],
                ) or r["line_type"] != "earning":
                    continue
                lines.append("      " + _earning_words(e))
    return "\n".join(lines) + "\n"


def _earning_words(e: dict[str, str]) -> str:
    amount = num(e["amount"])
    head = f"{e['line_type']} {fmt(amount)}"
    if e["transaction_id"]:
        head += f" on {e['transaction_id']} ({e['credit_reason']} credit"
        head += f", {e['measure_id']} {fmt(num(e['measure_value']))})" if e["measure_id"] else ")"
    if e["tier"]:
        head += f", tier {e['tier']} at {pct(num(e['rate']))}"
    elif e["rate"] and e["component_kind"] == "bonus":
        factor = num(e["rate"]).normalize()
        head += f", attainment {pct(num(e['attainment']))} → payout factor {factor:f}"
    elif e["objective_id"]:
        weight, score = num(e["rate"]).normalize(), num(e["measure_value"]).normalize()
        head += f", objective {e['objective_id']}: weight {weight:f} × score {score:f}"
    if e["multiplier"] and num(e["multiplier"]) != 1 and e["component_kind"] == "commission":
        head += f", multiplier {num(e['multiplier']).normalize():f}"
    if num(e["prior_amount"]):
        head += (
            f" (to date {fmt(num(e['to_date_amount']))} minus {fmt(num(e['prior_amount']))}"
            " already earned)"
        )
    return head
