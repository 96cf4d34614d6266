"""Each finance export as CSV text, amounts with exactly two decimals."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import fields
from decimal import Decimal

from openspm.comp.services.exports.accruals import accrual_journal
from openspm.comp.services.exports.capitalization import (
    capitalization_journal,
    capitalization_schedule,
)
from openspm.comp.services.exports.common import JournalLine, require_export
from openspm.comp.services.exports.payroll import PayrollRow, payroll_rows
from openspm.core.access import Viewer
from openspm.core.errors import InvalidInput

EXPORT_KINDS = ("payroll", "accruals", "capitalization", "capitalization-journal")


def _text(value: object) -> str:
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return str(value)


def _csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([_text(v) for v in row] for row in rows)
    return out.getvalue()


def export_csv(*, viewer: Viewer, kind: str, period_key: str) -> str:
    """One export as CSV text: payroll, accruals, capitalization or capitalization-journal."""
    require_export(viewer)
    if kind == "payroll":
        payroll = payroll_rows(viewer=viewer, period_key=period_key)
        header = [f.name for f in fields(PayrollRow)]
        return _csv(header, ([getattr(r, h) for h in header] for r in payroll))
    if kind == "accruals":
        journal = accrual_journal(viewer=viewer, period_key=period_key)
        header = [f.name for f in fields(JournalLine)]
        return _csv(header, ([getattr(r, h) for h in header] for r in journal))
    if kind == "capitalization":
        header = [
            "payee_id",
            "payee_name",
            "transaction_ref",
            "booked_on",
            "period",
            "asset_amount",
            "currency",
            "month",
            "amortization",
            "balance",
        ]
        schedule = capitalization_schedule(viewer=viewer, period_key=period_key)
        return _csv(
            header,
            (
                [
                    a.payee_id,
                    a.payee_name,
                    a.transaction_ref,
                    a.booked_on,
                    a.period,
                    a.amount,
                    a.currency,
                    m.month.strftime("%Y-%m"),
                    m.amount,
                    m.balance,
                ]
                for a in schedule
                for m in a.months
            ),
        )
    if kind == "capitalization-journal":
        journal = capitalization_journal(viewer=viewer, period_key=period_key)
        header = [f.name for f in fields(JournalLine)]
        return _csv(header, ([getattr(r, h) for h in header] for r in journal))
    raise InvalidInput(f"No export {kind!r}: choose one of {', '.join(EXPORT_KINDS)}.")
