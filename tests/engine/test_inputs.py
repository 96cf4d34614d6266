"""Input normalisation: text parsed into decimals and dates, bad values named by row."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import duckdb
import pyarrow as pa
import pytest

from openspm.engine.errors import DataError
from openspm.engine.inputs import register


def _transactions(**columns: list[str | None]) -> dict[str, pa.Table]:
    base: dict[str, list[str | None]] = {
        "transaction_id": ["T1", "T2", "T3"],
        "amount": ["100.5", " 2 ", "1.50000"],
        "currency": ["USD", "USD", "EUR"],
        "booked_on": ["2026-01-05", "2026-02-10", "2026-03-01"],
    }
    base.update(columns)
    return {"transactions": pa.table({k: pa.array(v, pa.string()) for k, v in base.items()})}


def _registered(inputs: dict[str, pa.Table]) -> list[tuple[object, ...]]:
    con = duckdb.connect()
    try:
        register(con, inputs)
        return con.execute(
            "SELECT transaction_id, amount, booked_on, collected_amount FROM in_transactions "
            "ORDER BY transaction_id"
        ).fetchall()
    finally:
        con.close()


def test_text_money_and_dates_are_parsed_exactly() -> None:
    rows = _registered(_transactions(collected_amount=["", None, "0.0001"]))
    assert rows == [
        ("T1", Decimal("100.5"), date(2026, 1, 5), None),
        ("T2", Decimal("2"), date(2026, 2, 10), None),
        ("T3", Decimal("1.5"), date(2026, 3, 1), Decimal("0.0001")),
    ]


@pytest.mark.parametrize(
    ("column", "values", "message"),
    [
        ("amount", ["1", "12.34567", "3"], "row 2: column amount: '12.34567' has more"),
        ("amount", ["1", "2", "ten"], "transactions row 3: column amount: 'ten' is not a valid"),
        ("amount", ["1", " ", "3"], "transactions row 2: column amount is required"),
        ("booked_on", ["2026-01-05", "2026-02-30", "2026-03-01"], "row 2: column booked_on"),
    ],
)
def test_a_bad_value_is_named_by_its_row(column: str, values: list[str], message: str) -> None:
    with pytest.raises(DataError, match=message.replace("(", r"\(")):
        _registered(_transactions(**{column: values}))
