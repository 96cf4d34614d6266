"""Insert a run's output tables as result lines, in bulk (the caller holds the transaction)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

import pyarrow as pa
from django.db import models

from openspm.comp.models import CreditLine, EarningLine, MeasureLine, PayoutLine
from openspm.org.models import Person

BATCH = 5000
FOUR_PLACES = Decimal("0.0001")


def _amount(value: Decimal | None) -> Decimal | None:
    """The display copy keeps 4 decimals; the archive keeps the engine's full precision."""
    return None if value is None else value.quantize(FOUR_PLACES, rounding=ROUND_HALF_EVEN)


def _rate(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(Decimal("1e-10"), rounding=ROUND_HALF_EVEN)


def _rows(table: pa.Table) -> Iterator[dict[str, Any]]:
    for batch in table.to_batches(max_chunksize=BATCH):
        yield from batch.to_pylist()


def write_lines(*, run_id: int, period_key: str, tables: dict[str, pa.Table]) -> None:
    person_ids = dict(Person.objects.values_list("external_id", "pk"))

    def common(row: dict[str, Any]) -> dict[str, Any]:
        return {
            "run_id": run_id,
            "person_id": person_ids[row["payee_id"]],
            "plan_code": row["plan_id"],
            "plan_version": row["plan_version"] or 1,
            "period_key": row.get("period_id") or period_key,
        }

    def credit(row: dict[str, Any]) -> CreditLine:
        source = row["source_payee_id"]
        return CreditLine(
            **common(row),
            credit_id=row["credit_id"],
            transaction_ref=row["transaction_id"],
            credit_reason=row["credit_reason"],
            rule_id=row["rule_id"] or "",
            source_person_id=person_ids.get(source) if source else None,
            credit_percent=_rate(row["credit_percent"]),
            credited_on=row["credited_on"],
            source_amount=_amount(row["source_amount"]),
            source_currency=row["source_currency"],
            fx_rate=_rate(row["fx_rate"]),
            amount=_amount(row["amount"]),
            currency=row["currency"],
        )

    def measure(row: dict[str, Any]) -> MeasureLine:
        return MeasureLine(
            **common(row),
            measure_id=row["measure_id"],
            accumulate=row["accumulate"],
            period_value=_amount(row["period_value"]),
            to_date_value=_amount(row["to_date_value"]),
            quota_amount=_amount(row["quota_amount"]),
            attainment=_rate(row["attainment"]),
        )

    def earning(row: dict[str, Any]) -> EarningLine:
        return EarningLine(
            **common(row),
            component_id=row["component_id"],
            component_kind=row["component_kind"],
            line_type=row["line_type"],
            credit_id=row["credit_id"] or "",
            transaction_ref=row["transaction_id"] or "",
            credit_reason=row["credit_reason"] or "",
            measure_id=row["measure_id"] or "",
            measure_value=_amount(row["measure_value"]),
            basis_to_date=_amount(row["basis_to_date"]),
            quota_amount=_amount(row["quota_amount"]),
            attainment=_rate(row["attainment"]),
            tier=row["tier"],
            rate=_rate(row["rate"]),
            multiplier=_rate(row["multiplier"]),
            objective_id=row["objective_id"] or "",
            to_date_amount=_amount(row["to_date_amount"]),
            prior_amount=_amount(row["prior_amount"]),
            amount=_amount(row["amount"]),
            currency=row["currency"],
        )

    def payout(row: dict[str, Any]) -> PayoutLine:
        refs = (row["transaction_ids"] or "").replace(";", " ")
        return PayoutLine(
            **common(row),
            component_id=row["component_id"] or "",
            line_type=row["line_type"],
            plan_amount=_amount(row["plan_amount"]),
            plan_currency=row["plan_currency"],
            fx_rate=_rate(row["fx_rate"]),
            amount=_amount(row["amount"]),
            currency=row["currency"],
            held_amount=_amount(row["held_amount"]) or Decimal(0),
            draw_balance_amount=_amount(row["draw_balance_amount"]),
            transaction_refs=refs,
            line_count=row["line_count"] or 0,
        )

    builders: dict[str, tuple[type[models.Model], Callable[[dict[str, Any]], models.Model]]] = {
        "credits": (CreditLine, credit),
        "measures": (MeasureLine, measure),
        "earnings": (EarningLine, earning),
        "payouts": (PayoutLine, payout),
    }
    for name, (model, build) in builders.items():
        batch: list[models.Model] = []
        for row in _rows(tables[name]):
            batch.append(build(row))
            if len(batch) >= BATCH:
                model.objects.bulk_create(batch)  # type: ignore[attr-defined]
                batch = []
        if batch:
            model.objects.bulk_create(batch)  # type: ignore[attr-defined]
