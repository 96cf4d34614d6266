"""A statement line's drill-down: the deal lines it sums, their credits and transactions, and
the rule (plan version) that produced it.

A run keeps its credits and its deal-level earning lines in its archive, not as database
lines (`comp.summaries`); they are read from there and rounded as the lines' columns are
(half-even, 4 places for amounts, 10 for rates). A long line (a manager's roll-up of
thousands of deals) shows its first `DEAL_LIMIT` deals, by deal, and says how many it has.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from openspm.comp import archive, summaries
from openspm.comp.models import CalcRun, CreditLine, EarningLine
from openspm.comp.selectors import runs as run_selectors
from openspm.comp.selectors.statements import get_visible_person, plan_version_ids
from openspm.core.access import Viewer
from openspm.core.errors import NotFound
from openspm.org import selectors as org_selectors
from openspm.org.models import Person
from openspm.sales.models import Transaction

DEAL_LIMIT = 200
AMOUNT_PLACES = Decimal("0.0001")  # AmountField, as the result lines are rounded
RATE_PLACES = Decimal("1e-10")  # RateField


@dataclass(frozen=True)
class LineTrace:
    """Why an earning line is what it is: its deal lines, their credits and transactions,
    and the rule."""

    line: EarningLine
    run: CalcRun
    is_preliminary: bool
    is_own: bool
    deals: list[EarningLine]  # unsaved: the archived deal lines a summary line sums
    deal_count: int  # how many it sums (`deals` holds the first DEAL_LIMIT)
    archive_missing: bool  # the run's archive is gone: its deal lines cannot be shown
    credits: list[CreditLine]  # unsaved when read from the archive
    credit_count: int
    transactions: list[Transaction]
    plan_version_id: int | None
    is_period_line: bool  # a per-period line: its credits are all the payee's for the plan

    @property
    def is_summary(self) -> bool:
        return self.line.line_count > 0

    @property
    def deals_cut(self) -> bool:
        return len(self.deals) < self.deal_count

    @property
    def credits_cut(self) -> bool:
        return len(self.credits) < self.credit_count


def get_line_trace(*, viewer: Viewer, line_id: int, limit: int = DEAL_LIMIT) -> LineTrace:
    """The trace of one earning line the viewer may see: its payee is in their scope and its
    run is the statement run they see for its period (else a 404)."""
    line = EarningLine.objects.filter(pk=line_id).select_related("run__period").first()
    if line is None:
        raise NotFound("No such statement line.")
    payee = get_visible_person(viewer=viewer, person_id=line.person_id)
    run = line.run
    shown = run_selectors.get_statement_run(viewer=viewer, period=run.period)
    if shown is None or (shown.pk != run.pk and not run_selectors.sees_runs(viewer)):
        raise NotFound("No such statement line.")
    found = _deal_lines(line, payee, limit)
    deals, deal_count = found or ([], line.line_count)
    credits, credit_count = _line_credits(line, payee, deals, limit)
    refs = (
        {c.transaction_ref for c in credits}
        | {d.transaction_ref for d in deals}
        | ({line.transaction_ref} - {""})
    )
    transactions = list(
        Transaction.objects.filter(external_id__in=refs)
        .select_related("account", "product")
        .order_by("booked_on", "external_id")
    )
    versions = plan_version_ids(viewer=viewer, codes={line.plan_code})
    return LineTrace(
        line=line,
        run=run,
        is_preliminary=run.approval != CalcRun.Approval.APPROVED,
        is_own=_is_own(viewer, line.person_id),
        deals=deals,
        deal_count=deal_count,
        archive_missing=found is None,
        credits=credits,
        credit_count=credit_count,
        transactions=transactions,
        plan_version_id=versions.get((line.plan_code, line.plan_version)),
        is_period_line=not line.transaction_ref and not line.line_count,
    )


def _rounded(value: Decimal, places: Decimal) -> Decimal:
    return value.quantize(places, rounding=ROUND_HALF_EVEN)


def _maybe(value: Decimal | None, places: Decimal) -> Decimal | None:
    return None if value is None else _rounded(value, places)


def _deal_lines(
    line: EarningLine, payee: Person, limit: int
) -> tuple[list[EarningLine], int] | None:
    """The first `limit` deal lines a summary line sums, as unsaved lines, and how many it
    sums; none for a period line or a deal line of a run written before summaries; None when
    the run's archive is gone."""
    if not line.line_count:
        return [], 0
    found = summaries.read_deal_lines(
        line,
        payee_external_id=payee.external_id,
        run_period_key=line.run.period.key,
        limit=limit,
    )
    if found is None:
        return None
    rows, total = found
    return [_deal_line(row, line) for row in rows], total


def _deal_line(row: dict[str, Any], line: EarningLine) -> EarningLine:
    return EarningLine(
        run_id=line.run_id,
        person_id=line.person_id,
        plan_code=line.plan_code,
        plan_version=line.plan_version,
        period_key=line.period_key,
        component_id=line.component_id,
        component_kind=line.component_kind,
        line_type=line.line_type,
        credit_id=str(row["credit_id"] or ""),
        transaction_ref=str(row["transaction_id"]),
        credit_reason=str(row["credit_reason"] or ""),
        measure_id=str(row["measure_id"] or ""),
        measure_value=_maybe(row["measure_value"], AMOUNT_PLACES),
        basis_to_date=_maybe(row["basis_to_date"], AMOUNT_PLACES),
        quota_amount=_maybe(row["quota_amount"], AMOUNT_PLACES),
        attainment=_maybe(row["attainment"], RATE_PLACES),
        tier=str(row["tier"] or ""),
        rate=_maybe(row["rate"], RATE_PLACES),
        multiplier=_maybe(row["multiplier"], RATE_PLACES),
        amount=_rounded(row["amount"], AMOUNT_PLACES),
        currency=str(row["currency"]),
    )


def _line_credits(
    line: EarningLine, payee: Person, deals: list[EarningLine], limit: int
) -> tuple[list[CreditLine], int]:
    """The credits behind an earning line: of its deal lines, else of its credit or
    transaction (a run written before summaries), else (a period line) all the payee's under
    its plan. A run without an archive shows the credit lines the database holds (runs
    written before credits left the database)."""
    equal: dict[str, str] = {}
    credit_ids: list[str] | None = None
    if line.line_count:
        credit_ids = [d.credit_id for d in deals]
    elif line.credit_id:
        equal = {"credit_id": line.credit_id}
    elif line.transaction_ref:
        equal = {"transaction_id": line.transaction_ref}
    else:
        equal = {"plan_id": line.plan_code}
    found = archive.read_credits(
        line.run_id, payee_id=payee.external_id, credit_ids=credit_ids, limit=limit, **equal
    )
    if found is None:
        field_of = {"transaction_id": "transaction_ref", "plan_id": "plan_code"}
        stored = (
            CreditLine.objects.filter(run_id=line.run_id, person_id=payee.pk)
            .filter(**{field_of.get(name, name): value for name, value in equal.items()})
            .select_related("source_person")
        )
        if credit_ids is not None:
            stored = stored.filter(credit_id__in=credit_ids)
        return list(stored[:limit]), stored.count()
    rows, total = found
    sources = {str(row["source_payee_id"]) for row in rows if row["source_payee_id"]}
    people = {p.external_id: p for p in Person.objects.filter(external_id__in=sources)}
    return [_credit_line(row, line, payee, people) for row in rows], total


def _credit_line(
    row: dict[str, Any], line: EarningLine, payee: Person, people: dict[str, Person]
) -> CreditLine:
    """An unsaved credit line from an archived credit row (for display only)."""
    return CreditLine(
        run_id=line.run_id,
        person=payee,
        plan_code=str(row["plan_id"]),
        plan_version=int(row["plan_version"] or 1),
        period_key=str(row["period_id"] or line.period_key),
        credit_id=str(row["credit_id"]),
        transaction_ref=str(row["transaction_id"]),
        credit_reason=str(row["credit_reason"]),
        rule_id=str(row["rule_id"] or ""),
        source_person=people.get(str(row["source_payee_id"] or "")),
        credit_percent=_rounded(row["credit_percent"], RATE_PLACES),
        credited_on=row["credited_on"],
        source_amount=_rounded(row["source_amount"], AMOUNT_PLACES),
        source_currency=str(row["source_currency"]),
        fx_rate=_maybe(row["fx_rate"], RATE_PLACES),
        amount=_rounded(row["amount"], AMOUNT_PLACES),
        currency=str(row["currency"]),
    )


def _is_own(viewer: Viewer, person_id: int) -> bool:
    me = org_selectors.get_viewer_person(viewer=viewer)
    return me is not None and me.pk == person_id
