"""Insert a run's output tables as result lines, in bulk (the caller holds the transaction).

Measures, earning summaries and payouts become lines; credits and deal-level earning lines
stay in the run's archive (`comp.summaries`).

The engine's Arrow tables are turned into the lines' columns with Arrow kernels (no Python
object per row): money is rounded half-even to the 4 places `AmountField` keeps, ratios and
rates to the 10 of `RateField` (the archive keeps the engine's full precision). Then
`insert_arrow` writes them the fastest way each database offers: PostgreSQL `COPY … FROM
STDIN` fed with CSV that Arrow writes, SQLite one prepared `INSERT` run by `executemany`
(measured in `docs/performance.md`, "App runs").
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
from django.db import connection, models

from openspm.comp.models import CalcRun, EarningLine, MeasureLine, PayoutLine
from openspm.comp.summaries import earning_lines
from openspm.core.errors import OpenSPMError
from openspm.org.models import Person

BATCH = 50_000
AMOUNT_PLACES = 4  # AmountField
RATE_PLACES = 10  # RateField
CSV_FIELD_LIMIT = csv.field_size_limit() // 2  # bytes, with room for doubled quotes


class UnknownPayee(OpenSPMError):
    """The engine's output names a payee the database does not hold (the run fails)."""

    status = 422


@dataclass(frozen=True, slots=True)
class Col:
    """One line column: the model field, the engine column it comes from and how."""

    field: str
    source: str
    #: text or date (as given), blank (null → ""), amount / rate (rounded; amount0: null → 0),
    #: int0 (an integer, null → 0), refs (";" → " "), payee (external id → person key, or null)
    kind: str = "text"


def _cols(*specs: str) -> tuple[Col, ...]:
    """`"field<source:kind"`; source defaults to the field, kind to text."""
    out = []
    for spec in specs:
        head, _, kind = spec.partition(":")
        field, _, source = head.partition("<")
        out.append(Col(field, source or field, kind or "text"))
    return tuple(out)


MEASURE = _cols(
    "measure_id",
    "accumulate",
    "period_value:amount",
    "to_date_value:amount",
    "quota_amount:amount",
    "attainment:rate",
)
EARNING = _cols(
    "component_id",
    "component_kind",
    "line_type",
    "credit_id:blank",
    "transaction_ref<transaction_id:blank",
    "credit_reason:blank",
    "measure_id:blank",
    "measure_value:amount",
    "basis_to_date:amount",
    "quota_amount:amount",
    "attainment:rate",
    "tier:blank",
    "rate:rate",
    "multiplier:rate",
    "objective_id:blank",
    "to_date_amount:amount",
    "prior_amount:amount",
    "amount:amount",
    "currency",
    "line_count:int0",
)
PAYOUT = _cols(
    "component_id:blank",
    "line_type",
    "plan_amount:amount",
    "plan_currency",
    "fx_rate:rate",
    "amount:amount",
    "currency",
    "held_amount:amount0",
    "draw_balance_amount:amount",
    "transaction_refs<transaction_ids:refs",
    "line_count:int0",
)
LINES: dict[str, tuple[type[models.Model], tuple[Col, ...]]] = {
    "measures": (MeasureLine, MEASURE),
    "earnings": (EarningLine, EARNING),
    "payouts": (PayoutLine, PAYOUT),
}


def write_lines(*, run_id: int, period_key: str, tables: dict[str, pa.Table]) -> None:
    """Insert the measures, earnings and payouts of run `run_id`.

    Credits (one per owner and roll-up level of every transaction) are not written, and
    deal-level earning lines (one per credited tier slice of every deal) are written summed
    per payee, component and tier (`comp.summaries`): the run's archive keeps both, and a
    statement line's drill-down reads its few from there (`comp.selectors.trace`). The
    credits' payees are still checked here, so a run crediting a payee the database does
    not hold fails as before.
    """
    if not CalcRun.objects.filter(pk=run_id).exists():
        raise OpenSPMError(f"No run {run_id} to write lines for.")
    people = dict(Person.objects.values_list("external_id", "pk"))
    keys = pa.array(list(people), pa.string())
    pks = pa.array(list(people.values()), pa.int64())
    payees = pc.unique(tables["credits"].column("payee_id"))
    missing = pc.filter(payees, pc.invert(pc.is_in(payees, value_set=keys)))
    if len(missing):
        raise UnknownPayee(
            f"The run names payees that are not in the database: {missing.to_pylist()[:5]}"
        )
    for name, (model, columns) in LINES.items():
        parts = earning_lines(tables[name]) if name == "earnings" else [tables[name]]
        for table in parts:
            for batch in table.to_batches(max_chunksize=BATCH):
                insert_arrow(model, _line_columns(batch, run_id, period_key, columns, keys, pks))


def _line_columns(
    batch: pa.RecordBatch,
    run_id: int,
    period_key: str,
    columns: tuple[Col, ...],
    keys: pa.Array,
    pks: pa.Array,
) -> pa.Table:
    n = batch.num_rows

    def person(source: str, *, required: bool) -> pa.Array:
        values = batch.column(source)
        found = pks.take(pc.index_in(values, value_set=keys))
        if required and found.null_count:
            missing = pc.filter(values, pc.is_null(found)).to_pylist()[:5]
            raise UnknownPayee(f"The run names payees that are not in the database: {missing}")
        return found

    period = batch.column("period_id") if "period_id" in batch.schema.names else None
    out: dict[str, pa.Array] = {
        "run_id": pa.array([run_id] * n, pa.int64()),
        "person_id": person("payee_id", required=True),
        "plan_code": batch.column("plan_id"),
        "plan_version": _or(batch.column("plan_version"), pa.scalar(1, pa.int64())),
        "period_key": pa.array([period_key] * n, pa.string())
        if period is None
        else _or(period, pa.scalar(period_key)),
    }
    for col in columns:
        values = batch.column(col.source)
        if col.kind == "amount":
            out[col.field] = _round(values, AMOUNT_PLACES)
        elif col.kind == "amount0":
            out[col.field] = _round(values, AMOUNT_PLACES).fill_null(0)
        elif col.kind == "rate":
            out[col.field] = _round(values, RATE_PLACES)
        elif col.kind == "blank":
            out[col.field] = values.cast(pa.string()).fill_null("")
        elif col.kind == "refs":
            text = values.cast(pa.string()).fill_null("")
            out[col.field] = pc.replace_substring(text, ";", " ")
        elif col.kind == "int0":
            out[col.field] = _or(values.cast(pa.int64()), pa.scalar(0, pa.int64()))
        elif col.kind == "payee":
            out[col.field] = person(col.source, required=False)
        else:  # text and dates: as the engine gives them
            out[col.field] = values
    return pa.table(out)


def _or(values: pa.Array, default: pa.Scalar) -> pa.Array:
    """`value or default`: nulls, empty strings and zeros take the default."""
    zero = pa.scalar(0 if pa.types.is_integer(values.type) else "").cast(values.type)
    empty = pc.equal(values, zero)
    return pc.if_else(pc.or_kleene(pc.is_null(values), empty), default.cast(values.type), values)


def _round(values: pa.Array, places: int) -> pa.Array:
    """Half-even to `places` decimals, exactly (decimal arithmetic, never a float)."""
    if pa.types.is_floating(values.type):
        raise TypeError("result money must be decimal, not float")
    if not pa.types.is_decimal(values.type):
        values = values.cast(pa.decimal128(38, places))
    rounded = pc.round(values, ndigits=places, round_mode="half_to_even")
    return rounded.cast(pa.decimal128(38, places))


def insert_arrow(model: type[models.Model], table: pa.Table) -> None:
    """Insert `table`'s rows into `model`'s table; its columns are the fields' attnames.

    The caller holds the transaction. PostgreSQL: `COPY … FROM STDIN (FORMAT csv)` fed with
    CSV written by Arrow (an empty field is NULL, `""` is the empty string). SQLite: one
    prepared `INSERT` for every row (`executemany`), decimals and dates passed as text, as
    Django passes them; a column with a single value in a chunk is a literal of the statement
    instead (a run's lines share their run, period and often plan, component and currency:
    14 of an earning line's 24 columns in the benchmark, a third less to split and bind).
    """
    if table.num_rows == 0:
        return
    quote = connection.ops.quote_name
    opts = model._meta
    names = ", ".join(quote(_column(model, name)) for name in table.column_names)
    target = f"{quote(opts.db_table)} ({names})"
    if connection.vendor == "postgresql":
        options = pa_csv.WriteOptions(include_header=False, batch_size=BATCH)
        with (
            connection.cursor() as cursor,
            cursor.copy(f"COPY {target} FROM STDIN (FORMAT csv)") as copy,
        ):
            for chunk in _chunks(table):
                buffer = io.BytesIO()
                pa_csv.write_csv(chunk, buffer, options)
                copy.write(buffer.getbuffer())
        return
    with connection.cursor() as cursor:
        for chunk in _chunks(table):
            # A column with one value throughout the chunk (the run, its period, a plan's
            # code, an unused column's NULL…) is written once, as a literal, not per row.
            fixed = {name: _literal(cursor, chunk.column(name)) for name in chunk.column_names}
            varying = chunk.select([name for name, sql in fixed.items() if sql is None])
            text = [
                pa.types.is_string(t) or pa.types.is_large_string(t) for t in varying.schema.types
            ]
            # The CSV reader gives "" for a null: text columns keep it, the others read it as NULL.
            marks = ["%s" if is_text else "NULLIF(%s, '')" for is_text in text]
            order = [*varying.column_names, *(n for n, sql in fixed.items() if sql is not None)]
            values = [*marks, *(sql for sql in fixed.values() if sql is not None)]
            columns = ", ".join(quote(_column(model, name)) for name in order)
            sql = f"INSERT INTO {quote(opts.db_table)} ({columns}) VALUES ({', '.join(values)})"
            if varying.num_columns:
                cursor.executemany(sql, list(_text_rows(varying, text)))
            else:
                cursor.executemany(sql, [()] * chunk.num_rows)


def _literal(cursor: Any, column: pa.ChunkedArray) -> str | None:
    """The column's only value as an SQLite literal (quoted by SQLite's own `quote()`), the
    way the row-by-row path would store it; None when it holds more than one value."""
    if column.null_count == len(column):
        return "NULL"
    if column.null_count or not pc.all(pc.equal(column, column[0])).as_py():
        return None
    [value] = _python(column.slice(0, 1))
    if isinstance(value, bool):
        value = int(value)
    cursor.execute("SELECT quote(%s)", [value])
    literal: str = cursor.fetchone()[0]
    return literal


def _column(model: type[models.Model], name: str) -> str:
    field = model._meta.get_field(name)
    if not isinstance(field, models.Field) or not field.column:
        raise ValueError(f"{model.__name__}.{name} is not a concrete field")
    return str(field.column)


def _chunks(table: pa.Table) -> Iterator[pa.Table]:
    for offset in range(0, table.num_rows, BATCH):
        yield table.slice(offset, BATCH)


def _text_rows(chunk: pa.Table, text: list[bool]) -> Iterator[list[str | None]]:
    """The rows of `chunk` as lists of strings, the way Django hands values to sqlite3
    (decimals and dates as text; SQLite's column affinity stores numbers as numbers).

    Arrow writes the chunk as CSV and Python's C CSV reader splits it: five times faster
    than `to_pylist`. A null in a text column would read as "", so such a chunk takes the
    slow path, as does one with a text longer than the CSV reader takes (a payout line's
    transaction ids can be).
    """
    if any(
        is_text and (column.null_count or _longest(column) > CSV_FIELD_LIMIT)
        for is_text, column in zip(text, chunk.columns, strict=True)
    ):
        columns = [_python(column) for column in chunk.columns]
        yield from (list(row) for row in zip(*columns, strict=True))
        return
    chunk = pa.table(
        [c.cast(pa.int8()) if pa.types.is_boolean(c.type) else c for c in chunk.columns],
        names=chunk.column_names,
    )
    buffer = io.BytesIO()
    pa_csv.write_csv(chunk, buffer, pa_csv.WriteOptions(include_header=False))
    yield from csv.reader(io.StringIO(buffer.getvalue().decode()))


def _longest(column: pa.ChunkedArray) -> int:
    longest = pc.max(pc.binary_length(column)).as_py()
    return int(longest or 0)


def _python(column: pa.ChunkedArray) -> list[object]:
    kind = column.type
    if pa.types.is_decimal(kind) or pa.types.is_date(kind) or pa.types.is_timestamp(kind):
        column = column.cast(pa.string())
    values: list[object] = column.to_pylist()
    return values
